package dev.pluginclient.spring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * Per-plugin settings that may also be given once for all plugins under
 * {@code plugin-client.defaults}. Every default below equals the default of plugin-client-core.
 */
public class PluginSettings {

    /** Working directory of the plugin process. Defaults to the application's working directory. */
    private String workingDirectory;

    /** Extra environment variables for the plugin process. Their values are never logged. */
    private Map<String, String> environment = new LinkedHashMap<>();

    /** Whether the plugin process inherits the application's environment variables. */
    private boolean inheritEnvironment = true;

    /** Handshake settings the application and the plugin must agree on. */
    @NestedConfigurationProperty
    private Handshake handshake = new Handshake();

    /** Whether the application and the plugin authenticate each other with certificates made fresh for every start. */
    private boolean autoMtls = false;

    /** Expected SHA-256 digest of the executable (the first element of command), written sha256:<64 hex digits>. */
    private String checksum;

    /** Maximum time from starting the process to a completed handshake. */
    private Duration startTimeout = Duration.ofSeconds(60);

    /** Deadline of a call whose caller set none. */
    private Duration callTimeout = Duration.ofSeconds(10);

    /** Time the plugin may take to exit after a graceful shutdown request before it is terminated and then killed. */
    private Duration shutdownTimeout = Duration.ofSeconds(2);

    /** Lowest TCP port a plugin listening on TCP may choose, passed to it as PLUGIN_MIN_PORT. */
    private int minPort = 10000;

    /** Highest TCP port a plugin listening on TCP may choose, passed to it as PLUGIN_MAX_PORT. */
    private int maxPort = 25000;

    /** Whether the handshake may name a TCP address that is not a loopback address. */
    private boolean allowRemoteAddresses = false;

    /**
     * Directory under which a private directory for the plugin's Unix socket is made at every start.
     * Defaults to the system temporary directory. Keep it short, because a socket path has at most 107 bytes on Linux.
     */
    private String socketDirectory;

    /** Whether the application starts even when this plugin cannot. The plugin then reports DOWN. */
    private boolean optional = false;

    /** Whether the plugin starts on its first use instead of with the application context. */
    private boolean lazy = false;

    /** Pool of plugin processes behind the plugin's channel. */
    @NestedConfigurationProperty
    private Pool pool = new Pool();

    /** Retries of calls that failed with a transient failure. */
    @NestedConfigurationProperty
    private Retry retry = new Retry();

    /** Circuit breaker that fails calls fast while the plugin keeps failing. */
    @NestedConfigurationProperty
    private CircuitBreaker circuitBreaker = new CircuitBreaker();

    /** Periodic health checks that detect a hung plugin. */
    @NestedConfigurationProperty
    private Health health = new Health();

    /** Restarts of a plugin that exited or hung. */
    @NestedConfigurationProperty
    private Restart restart = new Restart();

    public String getWorkingDirectory() {
        return workingDirectory;
    }

    public void setWorkingDirectory(String workingDirectory) {
        this.workingDirectory = workingDirectory;
    }

    public Map<String, String> getEnvironment() {
        return environment;
    }

    public void setEnvironment(Map<String, String> environment) {
        this.environment = environment;
    }

    public boolean isInheritEnvironment() {
        return inheritEnvironment;
    }

    public void setInheritEnvironment(boolean inheritEnvironment) {
        this.inheritEnvironment = inheritEnvironment;
    }

    public Handshake getHandshake() {
        return handshake;
    }

    public void setHandshake(Handshake handshake) {
        this.handshake = handshake;
    }

    public boolean isAutoMtls() {
        return autoMtls;
    }

    public void setAutoMtls(boolean autoMtls) {
        this.autoMtls = autoMtls;
    }

    public String getChecksum() {
        return checksum;
    }

    public void setChecksum(String checksum) {
        this.checksum = checksum;
    }

    public Duration getStartTimeout() {
        return startTimeout;
    }

    public void setStartTimeout(Duration startTimeout) {
        this.startTimeout = startTimeout;
    }

    public Duration getCallTimeout() {
        return callTimeout;
    }

    public void setCallTimeout(Duration callTimeout) {
        this.callTimeout = callTimeout;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public int getMinPort() {
        return minPort;
    }

    public void setMinPort(int minPort) {
        this.minPort = minPort;
    }

    public int getMaxPort() {
        return maxPort;
    }

    public void setMaxPort(int maxPort) {
        this.maxPort = maxPort;
    }

    public boolean isAllowRemoteAddresses() {
        return allowRemoteAddresses;
    }

    public void setAllowRemoteAddresses(boolean allowRemoteAddresses) {
        this.allowRemoteAddresses = allowRemoteAddresses;
    }

    public String getSocketDirectory() {
        return socketDirectory;
    }

    public void setSocketDirectory(String socketDirectory) {
        this.socketDirectory = socketDirectory;
    }

    public boolean isOptional() {
        return optional;
    }

    public void setOptional(boolean optional) {
        this.optional = optional;
    }

    public boolean isLazy() {
        return lazy;
    }

    public void setLazy(boolean lazy) {
        this.lazy = lazy;
    }

    public Pool getPool() {
        return pool;
    }

    public void setPool(Pool pool) {
        this.pool = pool;
    }

    public Retry getRetry() {
        return retry;
    }

    public void setRetry(Retry retry) {
        this.retry = retry;
    }

    public CircuitBreaker getCircuitBreaker() {
        return circuitBreaker;
    }

    public void setCircuitBreaker(CircuitBreaker circuitBreaker) {
        this.circuitBreaker = circuitBreaker;
    }

    public Health getHealth() {
        return health;
    }

    public void setHealth(Health health) {
        this.health = health;
    }

    public Restart getRestart() {
        return restart;
    }

    public void setRestart(Restart restart) {
        this.restart = restart;
    }

    /** Magic cookie and protocol versions of the go-plugin handshake. */
    public static class Handshake {

        /** Name of the environment variable that carries the magic cookie, as built into the plugin. */
        private String magicCookieKey;

        /** Value of the magic cookie, as built into the plugin. It is not a secret, but it is never logged. */
        private String magicCookieValue;

        /** Application protocol versions the application supports, each 1 or more. */
        private List<Integer> protocolVersions = new ArrayList<>(List.of(1));

        public String getMagicCookieKey() {
            return magicCookieKey;
        }

        public void setMagicCookieKey(String magicCookieKey) {
            this.magicCookieKey = magicCookieKey;
        }

        public String getMagicCookieValue() {
            return magicCookieValue;
        }

        public void setMagicCookieValue(String magicCookieValue) {
            this.magicCookieValue = magicCookieValue;
        }

        public List<Integer> getProtocolVersions() {
            return protocolVersions;
        }

        public void setProtocolVersions(List<Integer> protocolVersions) {
            this.protocolVersions = protocolVersions;
        }
    }

    /** Number of plugin processes. */
    public static class Pool {

        /** Number of plugin processes behind the channel. Calls go to the least busy one. */
        private int size = 1;

        public int getSize() {
            return size;
        }

        public void setSize(int size) {
            this.size = size;
        }
    }

    /** Exponential backoff with jitter for transient call failures. */
    public static class Retry {

        /** Whether calls that failed with a transient failure are tried again. */
        private boolean enabled = true;

        /** Total attempts of a call, including the first. */
        private int maxAttempts = 4;

        /** Wait before the first retry. */
        private Duration initialDelay = Duration.ofMillis(100);

        /** Factor by which the wait grows for every further retry. */
        private double multiplier = 2.0;

        /** Upper bound of one wait between retries. */
        private Duration maxDelay = Duration.ofSeconds(5);

        /** Random spread of each wait, as a fraction between 0 and 1: 0.2 means plus or minus 20 percent. */
        private double jitter = 0.2;

        /**
         * Methods that may be retried even after they reached the plugin: "*" for all, a full method name
         * such as calculator.v1.Calculator/Add, or a service such as calculator.v1.Calculator/*. Calls that
         * never reached the plugin are always retried.
         */
        private List<String> idempotentMethods = new ArrayList<>();

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public Duration getInitialDelay() {
            return initialDelay;
        }

        public void setInitialDelay(Duration initialDelay) {
            this.initialDelay = initialDelay;
        }

        public double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(double multiplier) {
            this.multiplier = multiplier;
        }

        public Duration getMaxDelay() {
            return maxDelay;
        }

        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
        }

        public double getJitter() {
            return jitter;
        }

        public void setJitter(double jitter) {
            this.jitter = jitter;
        }

        public List<String> getIdempotentMethods() {
            return idempotentMethods;
        }

        public void setIdempotentMethods(List<String> idempotentMethods) {
            this.idempotentMethods = idempotentMethods;
        }
    }

    /** Count-based circuit breaker of the plugin's calls. */
    public static class CircuitBreaker {

        /** Whether calls go through a circuit breaker. */
        private boolean enabled = true;

        /** Percentage of failed calls in the sliding window that opens the circuit. */
        private float failureRateThreshold = 50;

        /** Percentage of slow calls in the sliding window that opens the circuit. */
        private float slowCallRateThreshold = 100;

        /** Duration above which a call counts as slow. */
        private Duration slowCallDuration = Duration.ofSeconds(10);

        /** Number of recent calls the failure and slow-call rates are computed over. */
        private int slidingWindowSize = 20;

        /** Number of calls needed in the window before the rates are computed. */
        private int minimumNumberOfCalls = 10;

        /** Time the circuit stays open before it lets trial calls through. */
        private Duration waitInOpen = Duration.ofSeconds(30);

        /** Number of trial calls in the half-open state that decide whether the circuit closes again. */
        private int permittedCallsInHalfOpen = 3;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public float getFailureRateThreshold() {
            return failureRateThreshold;
        }

        public void setFailureRateThreshold(float failureRateThreshold) {
            this.failureRateThreshold = failureRateThreshold;
        }

        public float getSlowCallRateThreshold() {
            return slowCallRateThreshold;
        }

        public void setSlowCallRateThreshold(float slowCallRateThreshold) {
            this.slowCallRateThreshold = slowCallRateThreshold;
        }

        public Duration getSlowCallDuration() {
            return slowCallDuration;
        }

        public void setSlowCallDuration(Duration slowCallDuration) {
            this.slowCallDuration = slowCallDuration;
        }

        public int getSlidingWindowSize() {
            return slidingWindowSize;
        }

        public void setSlidingWindowSize(int slidingWindowSize) {
            this.slidingWindowSize = slidingWindowSize;
        }

        public int getMinimumNumberOfCalls() {
            return minimumNumberOfCalls;
        }

        public void setMinimumNumberOfCalls(int minimumNumberOfCalls) {
            this.minimumNumberOfCalls = minimumNumberOfCalls;
        }

        public Duration getWaitInOpen() {
            return waitInOpen;
        }

        public void setWaitInOpen(Duration waitInOpen) {
            this.waitInOpen = waitInOpen;
        }

        public int getPermittedCallsInHalfOpen() {
            return permittedCallsInHalfOpen;
        }

        public void setPermittedCallsInHalfOpen(int permittedCallsInHalfOpen) {
            this.permittedCallsInHalfOpen = permittedCallsInHalfOpen;
        }
    }

    /** Health checks through grpc.health.v1.Health/Check("plugin"). */
    public static class Health {

        /** Whether the plugin is health-checked periodically. */
        private boolean enabled = true;

        /** Time between two health checks. */
        private Duration interval = Duration.ofSeconds(5);

        /** Deadline of one health check. */
        private Duration timeout = Duration.ofSeconds(1);

        /** Consecutive failed health checks after which the plugin counts as hung and is restarted. */
        private int failureThreshold = 3;

        /**
         * Consecutive calls ending in DEADLINE_EXCEEDED after which the plugin is restarted even though its
         * health checks pass. 0 turns this off.
         */
        private int deadlineExceededThreshold = 5;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public int getFailureThreshold() {
            return failureThreshold;
        }

        public void setFailureThreshold(int failureThreshold) {
            this.failureThreshold = failureThreshold;
        }

        public int getDeadlineExceededThreshold() {
            return deadlineExceededThreshold;
        }

        public void setDeadlineExceededThreshold(int deadlineExceededThreshold) {
            this.deadlineExceededThreshold = deadlineExceededThreshold;
        }
    }

    /** Restarts with exponential backoff and a restart budget. */
    public static class Restart {

        /** Whether a plugin that exited or hung is started again. */
        private boolean enabled = true;

        /** Restarts allowed within the window. Once used up, the plugin is FAILED until restarted by hand. */
        private int maxRestarts = 10;

        /** Sliding time window of the restart budget. */
        private Duration window = Duration.ofMinutes(5);

        /** Wait before the first restart after a healthy run. */
        private Duration initialBackoff = Duration.ofMillis(200);

        /** Upper bound of the wait before one restart. */
        private Duration maxBackoff = Duration.ofSeconds(30);

        /** Factor by which the wait grows for every consecutive restart. */
        private double multiplier = 2.0;

        /** Random spread of each wait, as a fraction between 0 and 1. */
        private double jitter = 0.2;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getMaxRestarts() {
            return maxRestarts;
        }

        public void setMaxRestarts(int maxRestarts) {
            this.maxRestarts = maxRestarts;
        }

        public Duration getWindow() {
            return window;
        }

        public void setWindow(Duration window) {
            this.window = window;
        }

        public Duration getInitialBackoff() {
            return initialBackoff;
        }

        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        public Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

        public double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(double multiplier) {
            this.multiplier = multiplier;
        }

        public double getJitter() {
            return jitter;
        }

        public void setJitter(double jitter) {
            this.jitter = jitter;
        }
    }
}
