package dev.pluginclient.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures the events of one plugin logger with a logback {@link ListAppender}. The logger is set
 * to TRACE and detached from the console while the capture is open.
 */
final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level previousLevel;
    private final boolean previousAdditive;

    LogCapture(String pluginName) {
        logger = (Logger) LoggerFactory.getLogger(PluginLogRelay.loggerName(pluginName));
        previousLevel = logger.getLevel();
        previousAdditive = logger.isAdditive();
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.TRACE);
        logger.setAdditive(false);
    }

    void setLevel(Level level) {
        logger.setLevel(level);
    }

    List<ILoggingEvent> events() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    List<String> messages() {
        return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** Returns the only event, failing when there is not exactly one. */
    ILoggingEvent single() {
        List<ILoggingEvent> events = events();
        if (events.size() != 1) {
            throw new AssertionError("expected exactly one event but got " + messages());
        }
        return events.get(0);
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(previousLevel);
        logger.setAdditive(previousAdditive);
        appender.stop();
    }
}
