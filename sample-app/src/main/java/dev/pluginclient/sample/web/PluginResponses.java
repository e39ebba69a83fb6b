package dev.pluginclient.sample.web;

import dev.pluginclient.sample.CalculatorService;
import dev.pluginclient.spring.autoconfigure.PluginClients;

/** Reads the calculator plugin's status for the responses of the controllers. */
final class PluginResponses {

    private PluginResponses() {
    }

    /** Returns the pid of the calculator plugin's process, or {@code null} when none runs. */
    static Long pid(PluginClients plugins) {
        long pid = plugins.get(CalculatorService.PLUGIN).status().pid();
        return pid > 0 ? pid : null;
    }
}
