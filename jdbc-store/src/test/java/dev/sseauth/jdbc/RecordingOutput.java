package dev.sseauth.jdbc;

import dev.sseauth.Reason;
import dev.sseauth.StreamOutput;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A {@link StreamOutput} that records what the live stream writes and how it ends. */
final class RecordingOutput implements StreamOutput, AutoCloseable {
  final CompletableFuture<Reason> ended = new CompletableFuture<>();
  final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private final ExecutorService serial = Executors.newSingleThreadExecutor();

  @Override
  public void execute(Runnable task) {
    serial.execute(task);
  }

  @Override
  public synchronized void write(byte[] bytes) {
    written.writeBytes(bytes);
  }

  @Override
  public void end(Reason reason) {
    ended.complete(reason);
  }

  @Override
  public void close() {
    serial.shutdownNow();
  }
}
