package dev.pluginclient.spring.autoconfigure;

import dev.pluginclient.PluginClient;
import dev.pluginclient.event.PluginEventListener;
import dev.pluginclient.spring.autoconfigure.retry.annotation.PluginCallAnnotationBeanPostProcessor;
import dev.pluginclient.spring.autoconfigure.retry.annotation.PluginRetryPredicate;
import dev.pluginclient.spring.autoconfigure.stub.PluginStubBeanPostProcessor;
import dev.pluginclient.spring.autoconfigure.stub.PluginStubResolverInstaller;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the plugins described under {@code plugin-client.plugins}: a
 * {@link PluginClient} bean per plugin named after it, the {@link PluginClients} registry, their
 * lifecycle, {@code @PluginStub} injection and {@code @PluginCall} methods. Set
 * {@code plugin-client.enabled=false} to turn it all off.
 */
@AutoConfiguration
@ConditionalOnClass(PluginClient.class)
@ConditionalOnBooleanProperty(name = "plugin-client.enabled", matchIfMissing = true)
@EnableConfigurationProperties(PluginClientProperties.class)
public class PluginClientAutoConfiguration {

    @Bean
    static PluginClientRegistrar pluginClientRegistrar() {
        return new PluginClientRegistrar();
    }

    @Bean
    @ConditionalOnMissingBean
    public PluginClients pluginClients(Environment environment, ObjectProvider<PluginEventListener> listeners,
            ObjectProvider<PluginClientBuilderCustomizer> customizers) {
        PluginClientFactory factory = new PluginClientFactory(new PluginPropertiesBinder(environment),
                listeners.orderedStream().toList(), customizers.orderedStream().toList());
        return factory.createAll();
    }

    @Bean
    @ConditionalOnMissingBean
    public PluginClientLifecycle pluginClientLifecycle(PluginClients clients) {
        return new PluginClientLifecycle(clients);
    }

    @Bean
    static PluginStubBeanPostProcessor pluginStubBeanPostProcessor() {
        return new PluginStubBeanPostProcessor();
    }

    @Bean
    static PluginStubResolverInstaller pluginStubResolverInstaller() {
        return new PluginStubResolverInstaller();
    }

    @Bean
    static PluginCallAnnotationBeanPostProcessor pluginCallAnnotationBeanPostProcessor() {
        return new PluginCallAnnotationBeanPostProcessor();
    }

    @Bean
    @ConditionalOnMissingBean
    public PluginRetryPredicate pluginRetryPredicate() {
        return new PluginRetryPredicate();
    }
}
