package dev.sseauth;

import java.io.IOException;

/**
 * An adapter's side of a {@link LiveStream}: how the stream writes its own events and ends the
 * response. Implementations must be thread-safe.
 */
public interface StreamOutput {

  /**
   * Runs {@code task} soon, serialised with the application's writes to the same response. Must not
   * run it on the calling thread if that could block the caller (it is called from sse-auth's timer
   * and store threads).
   */
  void execute(Runnable task);

  /** Writes {@code bytes} to the client and flushes. Called only from tasks passed to {@link #execute}. */
  void write(byte[] bytes) throws IOException;

  /** Ends the response (the client reconnects and is judged again). May be called from any thread. */
  void end(Reason reason);
}
