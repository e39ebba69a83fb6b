package dev.pluginclient.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pluginclient.calculator.v1.CalculatorGrpc;
import dev.pluginclient.calculator.v1.FaultInjectionGrpc;
import dev.pluginclient.spring.autoconfigure.stub.PluginStub;
import io.grpc.Channel;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** {@code @PluginStub} on fields, constructor parameters and {@code @Bean} method parameters. */
class PluginStubInjectionTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PluginClientAutoConfiguration.class))
            .withPropertyValues(PluginClientAutoConfigurationTests.CALCULATOR);

    @Test
    void stubsInjectedEverywhere() {
        runner.withUserConfiguration(Consumers.class).run(context -> {
            assertThat(context).hasNotFailed();
            FieldConsumer fields = context.getBean(FieldConsumer.class);
            assertThat(fields.blocking).isInstanceOf(CalculatorGrpc.CalculatorBlockingStub.class);
            assertThat(fields.async).isInstanceOf(CalculatorGrpc.CalculatorStub.class);
            assertThat(fields.faults).isInstanceOf(FaultInjectionGrpc.FaultInjectionBlockingStub.class);
            assertThat(fields.channel).isSameAs(context.getBean(PluginClients.class).channel("calculator"));
            assertThat(fields.blocking.getChannel()).isSameAs(fields.channel);

            ConstructorConsumer constructor = context.getBean(ConstructorConsumer.class);
            assertThat(constructor.future).isInstanceOf(CalculatorGrpc.CalculatorFutureStub.class);
            assertThat(context.getBean("fromBeanMethod")).isInstanceOf(CalculatorGrpc.CalculatorBlockingStub.class);
        });
    }

    @Test
    void unknownPluginFailsStart() {
        runner.withUserConfiguration(UnknownPlugin.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("No plugin named 'missing'")
                    .hasMessageContaining("[calculator]");
        });
    }

    @Test
    void nonStubTypeFailsStart() {
        runner.withUserConfiguration(NotAStub.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("java.lang.String is not a gRPC stub class");
        });
    }

    static class FieldConsumer {

        @PluginStub("calculator")
        CalculatorGrpc.CalculatorBlockingStub blocking;

        @PluginStub("calculator")
        private CalculatorGrpc.CalculatorStub async;

        @PluginStub("calculator")
        FaultInjectionGrpc.FaultInjectionBlockingStub faults;

        @PluginStub("calculator")
        Channel channel;
    }

    static class ConstructorConsumer {

        final CalculatorGrpc.CalculatorFutureStub future;

        ConstructorConsumer(@PluginStub("calculator") CalculatorGrpc.CalculatorFutureStub future) {
            this.future = future;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Import({ FieldConsumer.class, ConstructorConsumer.class })
    static class Consumers {

        @Bean
        CalculatorGrpc.CalculatorBlockingStub fromBeanMethod(
                @PluginStub("calculator") CalculatorGrpc.CalculatorBlockingStub stub) {
            return stub;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UnknownPlugin {

        @PluginStub("missing")
        CalculatorGrpc.CalculatorBlockingStub calculator;
    }

    @Configuration(proxyBeanMethods = false)
    static class NotAStub {

        @PluginStub("calculator")
        String calculator;
    }
}
