package dev.pluginclient.spring.autoconfigure.stub;

import java.util.NoSuchElementException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanDefinitionHolder;
import org.springframework.beans.factory.config.DependencyDescriptor;
import org.springframework.beans.factory.support.AutowireCandidateResolver;
import org.springframework.beans.factory.UnsatisfiedDependencyException;

/**
 * Resolves constructor and method parameters annotated with {@link PluginStub}, the way
 * {@code @Value} parameters are resolved: as a suggested value. Every other question goes to the
 * resolver the bean factory had before.
 */
final class PluginStubAutowireCandidateResolver implements AutowireCandidateResolver, BeanFactoryAware {

    private final AutowireCandidateResolver delegate;
    private BeanFactory beanFactory;

    PluginStubAutowireCandidateResolver(AutowireCandidateResolver delegate) {
        this.delegate = delegate;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
        if (delegate instanceof BeanFactoryAware aware) {
            aware.setBeanFactory(beanFactory);
        }
    }

    @Override
    public Object getSuggestedValue(DependencyDescriptor descriptor) {
        PluginStub annotation = descriptor.getAnnotation(PluginStub.class);
        if (annotation == null || beanFactory == null) {
            return delegate.getSuggestedValue(descriptor);
        }
        try {
            return PluginStubBeanPostProcessor.resolve(beanFactory, annotation.value(), descriptor.getDependencyType());
        } catch (IllegalArgumentException | NoSuchElementException invalid) {
            throw new UnsatisfiedDependencyException(null, null, descriptor.getDependencyName(),
                    "Cannot inject @PluginStub(\"" + annotation.value() + "\"): " + invalid.getMessage());
        }
    }

    @Override
    public boolean isAutowireCandidate(BeanDefinitionHolder holder, DependencyDescriptor descriptor) {
        return delegate.isAutowireCandidate(holder, descriptor);
    }

    @Override
    public boolean isRequired(DependencyDescriptor descriptor) {
        return delegate.isRequired(descriptor);
    }

    @Override
    public boolean hasQualifier(DependencyDescriptor descriptor) {
        return delegate.hasQualifier(descriptor);
    }

    @Override
    public Object getLazyResolutionProxyIfNecessary(DependencyDescriptor descriptor, String beanName) {
        return delegate.getLazyResolutionProxyIfNecessary(descriptor, beanName);
    }

    @Override
    public Class<?> getLazyResolutionProxyClass(DependencyDescriptor descriptor, String beanName) {
        return delegate.getLazyResolutionProxyClass(descriptor, beanName);
    }

    @Override
    public AutowireCandidateResolver cloneIfNecessary() {
        return new PluginStubAutowireCandidateResolver(delegate.cloneIfNecessary());
    }
}
