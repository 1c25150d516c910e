package dev.sseauth.testing;

import dev.sseauth.Reason;
import dev.sseauth.adapter.StreamOutput;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link StreamOutput} that records what the core writes and why it ended the stream. Tasks run at
 * once on the calling thread, serialised by this object's monitor.
 */
public final class RecordingOutput implements StreamOutput {
  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private final CompletableFuture<Reason> ended = new CompletableFuture<>();

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
    ended.complete(reason);
  }

  public synchronized String written() {
    return written.toString(StandardCharsets.UTF_8);
  }

  /** Why the stream ended, or null while it lives. */
  public Reason ended() {
    return ended.getNow(null);
  }

  /** Completes with the reason when the stream ends. */
  public CompletableFuture<Reason> endedFuture() {
    return ended;
  }
}
