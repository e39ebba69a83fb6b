package dev.pluginclient.hardening;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures the events of one logger and its children, at a given level. A detached capture also
 * keeps the events off the console, for floods.
 *
 * <p>Messages are kept up to {@value #KEPT_MESSAGE_LENGTH} characters with their full length, so
 * that a flood of long lines does not fill the heap of the test that measures the host's heap.
 */
final class LogCapture implements AutoCloseable {

    static final int KEPT_MESSAGE_LENGTH = 4096;

    /** One captured event, with {@code message} cut to {@value #KEPT_MESSAGE_LENGTH} characters. */
    record Event(Level level, long timeStamp, String loggerName, String message, int messageLength,
            IThrowableProxy throwable) {
    }

    private final Logger logger;
    private final List<Event> events = new ArrayList<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            String message = event.getFormattedMessage();
            int length = message == null ? 0 : message.length();
            String kept = length > KEPT_MESSAGE_LENGTH ? message.substring(0, KEPT_MESSAGE_LENGTH) : message;
            synchronized (events) {
                events.add(new Event(event.getLevel(), event.getTimeStamp(), event.getLoggerName(), kept, length,
                        event.getThrowableProxy()));
            }
        }
    };
    private final Level previousLevel;
    private final boolean previousAdditive;

    LogCapture(String loggerName, Level level, boolean detach) {
        logger = (Logger) LoggerFactory.getLogger(loggerName);
        previousLevel = logger.getLevel();
        previousAdditive = logger.isAdditive();
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(level);
        if (detach) {
            logger.setAdditive(false);
        }
    }

    /** Captures everything every logger emits at DEBUG and above, still printed on the console. */
    static LogCapture everything() {
        return new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME, Level.DEBUG, false);
    }

    List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Returns every captured text: messages and the messages of attached exceptions and their causes. */
    String allText() {
        StringBuilder text = new StringBuilder();
        for (Event event : events()) {
            text.append(event.loggerName()).append(' ').append(event.message()).append('\n');
            for (IThrowableProxy proxy = event.throwable(); proxy != null; proxy = proxy.getCause()) {
                text.append(proxy.getClassName()).append(": ").append(proxy.getMessage()).append('\n');
            }
        }
        return text.toString();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(previousLevel);
        logger.setAdditive(previousAdditive);
        appender.stop();
    }
}
