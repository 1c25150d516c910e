package dev.sseauth.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures every java.util.logging record (the default System.Logger backend) at the most verbose
 * level, formatted with parameters and stack traces, until closed.
 */
public final class LogCapture implements AutoCloseable {
  private final Logger root = Logger.getLogger("");
  private final Level previous = root.getLevel();
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Handler handler = new Handler() {
    private final SimpleFormatter f = new SimpleFormatter();

    @Override
    public void publish(LogRecord r) {
      lines.add(f.format(r));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  public LogCapture() {
    handler.setLevel(Level.ALL);
    root.addHandler(handler);
    root.setLevel(Level.ALL);
    for (String name : List.of("dev.sseauth", "dev.sseauth.store")) {
      Logger.getLogger(name).setLevel(Level.ALL);
    }
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** Every captured line joined. */
  public String text() {
    return String.join("", lines);
  }

  @Override
  public void close() {
    root.removeHandler(handler);
    root.setLevel(previous);
  }
}
