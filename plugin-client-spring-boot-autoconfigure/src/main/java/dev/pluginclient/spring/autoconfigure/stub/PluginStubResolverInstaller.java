package dev.pluginclient.spring.autoconfigure.stub;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;

/**
 * Installs the resolver that lets constructor and {@code @Bean} method parameters take a
 * {@link PluginStub}.
 */
public class PluginStubResolverInstaller implements BeanFactoryPostProcessor {

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) throws BeansException {
        if (beanFactory instanceof DefaultListableBeanFactory listable
                && !(listable.getAutowireCandidateResolver() instanceof PluginStubAutowireCandidateResolver)) {
            listable.setAutowireCandidateResolver(
                    new PluginStubAutowireCandidateResolver(listable.getAutowireCandidateResolver()));
        }
    }
}
