package dev.sseauth.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures the java.util.logging records (the default System.Logger backend) of one logger and its
 * children, at the most verbose level, until closed.
 */
public final class LogCapture extends Handler implements AutoCloseable {
  private final Logger logger;
  private final Level previous;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final SimpleFormatter formatter = new SimpleFormatter();

  /** Captures everything: the root logger, with sse-auth's loggers at ALL. */
  public LogCapture() {
    this("");
    for (String name : List.of("dev.sseauth", "dev.sseauth.store")) {
      Logger.getLogger(name).setLevel(Level.ALL);
    }
  }

  /** Captures the logger {@code name} and its children. */
  public LogCapture(String name) {
    logger = Logger.getLogger(name);
    previous = logger.getLevel();
    setLevel(Level.ALL);
    logger.addHandler(this);
    logger.setLevel(Level.ALL);
  }

  /** The captured records. */
  public List<LogRecord> records() {
    return List.copyOf(records);
  }

  /** The captured records at exactly {@code level}. */
  public List<LogRecord> at(Level level) {
    return records.stream().filter(r -> r.getLevel().equals(level)).toList();
  }

  /** Every record formatted, with parameters and stack traces. */
  public List<String> lines() {
    return records.stream().map(formatter::format).toList();
  }

  /** Every captured line joined. */
  public String text() {
    return String.join("", lines());
  }

  @Override
  public void publish(LogRecord r) {
    records.add(r);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
    logger.setLevel(previous);
  }
}
