package dev.pluginclient.spring.autoconfigure.retry.annotation;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/** Finds the {@link PluginCall} settings and the fallback method of an annotated method. */
final class PluginCallMethods {

    private PluginCallMethods() {
    }

    /** Returns the annotation that applies to {@code method} of {@code targetClass}, or {@code null}. */
    static PluginCall find(Method method, Class<?> targetClass) {
        if (method.getDeclaringClass() == Object.class) {
            return null;
        }
        Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
        PluginCall annotation = AnnotatedElementUtils.findMergedAnnotation(specific, PluginCall.class);
        if (annotation == null && Modifier.isPublic(specific.getModifiers())) {
            annotation = AnnotatedElementUtils.findMergedAnnotation(targetClass, PluginCall.class);
        }
        return annotation;
    }

    /**
     * Returns the fallback of {@code method}: a method named {@code name} on {@code targetClass} with
     * the same parameters, or the same parameters followed by one {@link Throwable} parameter, and a
     * return type assignable to {@code method}'s.
     *
     * @throws IllegalStateException when there is no such method
     */
    static Method fallback(Method method, Class<?> targetClass, String name) {
        Class<?>[] parameters = method.getParameterTypes();
        Method found = null;
        for (Method candidate : ReflectionUtils.getUniqueDeclaredMethods(ClassUtils.getUserClass(targetClass))) {
            if (!candidate.getName().equals(name) || !returnsAssignable(method, candidate)) {
                continue;
            }
            Class<?>[] candidateParameters = candidate.getParameterTypes();
            if (Arrays.equals(candidateParameters, parameters)) {
                found = found == null ? candidate : found;
            } else if (candidateParameters.length == parameters.length + 1
                    && Throwable.class.isAssignableFrom(candidateParameters[parameters.length])
                    && Arrays.equals(Arrays.copyOf(candidateParameters, parameters.length), parameters)) {
                // A fallback that receives the failure is preferred over one that does not.
                found = candidate;
            }
        }
        if (found == null) {
            throw new IllegalStateException("The fallback method '" + name + "' of @PluginCall method "
                    + ClassUtils.getQualifiedMethodName(method, targetClass) + " was not found: declare "
                    + name + "(" + describe(parameters) + (parameters.length == 0 ? "" : ", ")
                    + "Throwable failure) or " + name + "(" + describe(parameters) + ") on "
                    + ClassUtils.getUserClass(targetClass).getName() + ", returning "
                    + method.getReturnType().getSimpleName());
        }
        ReflectionUtils.makeAccessible(found);
        return found;
    }

    private static boolean returnsAssignable(Method method, Method candidate) {
        return ClassUtils.isAssignable(method.getReturnType(), candidate.getReturnType())
                || (method.getReturnType() == void.class && candidate.getReturnType() == void.class);
    }

    private static String describe(Class<?>[] parameters) {
        return String.join(", ", Arrays.stream(parameters).map(Class::getSimpleName).toList());
    }
}
