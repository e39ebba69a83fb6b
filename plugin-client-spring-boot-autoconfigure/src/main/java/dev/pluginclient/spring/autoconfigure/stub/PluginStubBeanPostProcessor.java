package dev.pluginclient.spring.autoconfigure.stub;

import dev.pluginclient.spring.autoconfigure.PluginClients;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.BeansException;
import org.springframework.beans.PropertyValues;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.InstantiationAwareBeanPostProcessor;
import org.springframework.util.ReflectionUtils;

/**
 * Injects the fields annotated with {@link PluginStub}. It runs when the bean's properties are set,
 * like {@code @Autowired} field injection.
 */
public class PluginStubBeanPostProcessor implements InstantiationAwareBeanPostProcessor, BeanFactoryAware {

    private final Map<Class<?>, List<Field>> injectedFields = new ConcurrentHashMap<>();
    private BeanFactory beanFactory;

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public PropertyValues postProcessProperties(PropertyValues values, Object bean, String beanName)
            throws BeansException {
        List<Field> fields = injectedFields.computeIfAbsent(bean.getClass(), PluginStubBeanPostProcessor::findFields);
        for (Field field : fields) {
            PluginStub annotation = field.getAnnotation(PluginStub.class);
            Object stub;
            try {
                stub = resolve(beanFactory, annotation.value(), field.getType());
            } catch (IllegalArgumentException | NoSuchElementException invalid) {
                throw new BeanCreationException(beanName, "Cannot inject @PluginStub(\"" + annotation.value()
                        + "\") into field '" + field.getName() + "': " + invalid.getMessage(), invalid);
            }
            ReflectionUtils.makeAccessible(field);
            ReflectionUtils.setField(field, bean, stub);
        }
        return values;
    }

    /** Returns a stub of {@code type} for the named plugin. */
    static Object resolve(BeanFactory beanFactory, String pluginName, Class<?> type) {
        PluginClients clients = beanFactory.getBean(PluginClients.class);
        return PluginStubFactory.create(type, clients.channel(pluginName));
    }

    private static List<Field> findFields(Class<?> type) {
        List<Field> fields = new ArrayList<>();
        ReflectionUtils.doWithFields(type, fields::add, field -> field.isAnnotationPresent(PluginStub.class));
        return List.copyOf(fields);
    }
}
