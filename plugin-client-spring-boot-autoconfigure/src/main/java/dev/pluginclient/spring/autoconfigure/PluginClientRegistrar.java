package dev.pluginclient.spring.autoconfigure;

import dev.pluginclient.PluginClient;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Registers one {@link PluginClient} bean per configured plugin. The bean name and its qualifier are
 * the plugin's name, so {@code @Qualifier("calculator") PluginClient client} injects the client of
 * {@code plugin-client.plugins.calculator}. The clients are owned and stopped by {@link PluginClients}.
 */
public class PluginClientRegistrar implements BeanDefinitionRegistryPostProcessor, EnvironmentAware,
        BeanFactoryAware {

    private Environment environment;
    private BeanFactory beanFactory;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) throws BeansException {
        for (String name : new PluginPropertiesBinder(environment).pluginNames()) {
            if (registry.containsBeanDefinition(name)) {
                throw new IllegalStateException("Cannot register the client of plugin '" + name
                        + "': a bean with that name exists already. Rename the plugin under "
                        + PluginPropertiesBinder.PLUGINS + " or the other bean.");
            }
            RootBeanDefinition definition = new RootBeanDefinition(PluginClient.class,
                    () -> beanFactory.getBean(PluginClients.class).get(name));
            definition.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
            // PluginClients and the lifecycle stop the clients. An empty name turns off the inferred close().
            definition.setDestroyMethodName("");
            definition.setDescription("Client of plugin '" + name + "' from " + PluginPropertiesBinder.PLUGINS);
            registry.registerBeanDefinition(name, definition);
        }
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) throws BeansException {
    }
}
