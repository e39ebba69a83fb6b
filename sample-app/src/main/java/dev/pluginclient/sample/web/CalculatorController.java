package dev.pluginclient.sample.web;

import dev.pluginclient.sample.CalculatorService;
import dev.pluginclient.spring.autoconfigure.PluginClients;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The calculator over HTTP: {@code GET /calculator/add?a=5&b=3} returns
 * {@code {"operation":"add","a":5,"b":3,"result":8,"pluginPid":1234}}.
 */
@RestController
@RequestMapping("/calculator")
class CalculatorController {

    private final CalculatorService calculator;
    private final PluginClients plugins;

    CalculatorController(CalculatorService calculator, PluginClients plugins) {
        this.calculator = calculator;
        this.plugins = plugins;
    }

    @GetMapping("/add")
    CalculationResponse add(@RequestParam long a, @RequestParam long b) {
        return response("add", a, b, calculator.add(a, b));
    }

    @GetMapping("/subtract")
    CalculationResponse subtract(@RequestParam long a, @RequestParam long b) {
        return response("subtract", a, b, calculator.subtract(a, b));
    }

    @GetMapping("/multiply")
    CalculationResponse multiply(@RequestParam long a, @RequestParam long b) {
        return response("multiply", a, b, calculator.multiply(a, b));
    }

    @GetMapping("/divide")
    CalculationResponse divide(@RequestParam long a, @RequestParam long b) {
        return response("divide", a, b, calculator.divide(a, b));
    }

    private CalculationResponse response(String operation, long a, long b, Number result) {
        return new CalculationResponse(operation, a, b, result, PluginResponses.pid(plugins));
    }

    /**
     * One calculation.
     *
     * @param pluginPid pid of the calculator plugin process right after the call, or {@code null}
     *        when no process runs
     */
    record CalculationResponse(String operation, long a, long b, Number result, Long pluginPid) {
    }
}
