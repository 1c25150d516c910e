package dev.sseauth.testing;

import dev.sseauth.Reason;
import dev.sseauth.StreamOutput;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A {@link StreamOutput} that records what the core writes and why it ended the stream. */
public final class RecordingOutput implements StreamOutput {
  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private volatile Reason ended;

  @Override
  public synchronized void execute(Runnable task) {
    task.run();
  }

  @Override
  public synchronized void write(byte[] bytes) {
    written.writeBytes(bytes);
  }

  @Override
  public void end(Reason reason) {
    ended = reason;
  }

  public synchronized String written() {
    return written.toString(StandardCharsets.UTF_8);
  }

  public Reason ended() {
    return ended;
  }
}
