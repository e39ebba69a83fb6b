package dev.pluginclient.spring.autoconfigure.retry.annotation;

import dev.pluginclient.spring.autoconfigure.PluginClients;
import dev.pluginclient.spring.autoconfigure.PluginPropertiesBinder;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Set;
import org.springframework.aop.Pointcut;
import org.springframework.aop.support.ComposablePointcut;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Proxies beans that have {@link PluginCall} methods with a {@link PluginCallInterceptor}, without
 * AspectJ. When a bean is first proxied it checks every annotation: the plugin must be configured
 * and the fallback method must exist, so a mistake fails the application start instead of a call.
 */
public class PluginCallAnnotationBeanPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor
        implements EnvironmentAware {

    private Set<String> pluginNames = Set.of();

    public PluginCallAnnotationBeanPostProcessor() {
        setProxyTargetClass(true);
        setBeforeExistingAdvisors(true);
    }

    @Override
    public void setEnvironment(Environment environment) {
        this.pluginNames = new PluginPropertiesBinder(environment).pluginNames();
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        super.setBeanFactory(beanFactory);
        Pointcut pointcut = new ComposablePointcut(new AnnotationMatchingPointcut(PluginCall.class, true))
                .union(new AnnotationMatchingPointcut(null, PluginCall.class, true));
        this.advisor = new DefaultPointcutAdvisor(pointcut,
                new PluginCallInterceptor(() -> beanFactory.getBean(PluginClients.class)));
    }

    @Override
    protected boolean isEligible(Class<?> targetClass) {
        boolean eligible = super.isEligible(targetClass);
        if (eligible) {
            ReflectionUtils.doWithMethods(targetClass, method -> check(method, targetClass),
                    method -> !method.isBridge() && method.getDeclaringClass() != Object.class);
        }
        return eligible;
    }

    private void check(Method method, Class<?> targetClass) {
        if (!Modifier.isPublic(method.getModifiers()) && !method.isAnnotationPresent(PluginCall.class)) {
            return;
        }
        PluginCall annotation = PluginCallMethods.find(method, targetClass);
        if (annotation == null) {
            return;
        }
        String where = ClassUtils.getQualifiedMethodName(method, targetClass);
        if (annotation.plugin().isEmpty()) {
            throw new IllegalStateException("@PluginCall on " + where
                    + " names no plugin: set @PluginCall(plugin = \"<name>\") to a plugin under "
                    + "plugin-client.plugins");
        }
        if (!pluginNames.contains(annotation.plugin())) {
            throw new IllegalStateException("@PluginCall on " + where + " names plugin '" + annotation.plugin()
                    + "', which is not configured. Configured plugins: " + pluginNames + ". Add it under "
                    + "plugin-client.plugins." + annotation.plugin() + " or fix the name.");
        }
        if (!annotation.fallbackMethod().isEmpty()) {
            PluginCallMethods.fallback(method, targetClass, annotation.fallbackMethod());
        }
    }
}
