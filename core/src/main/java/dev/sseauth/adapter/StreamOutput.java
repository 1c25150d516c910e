package dev.sseauth.adapter;

import dev.sseauth.Reason;

import java.io.IOException;

/**
 * An adapter's side of a {@link LiveStream}: how the stream writes its own events and ends the
 * response. Implementations must be thread-safe.
 *
 * <p>Nothing here may wait on the client. A client that stops reading blocks writes to its own response
 * (until the server's idle timeout, if there is one, and many SSE deployments have none); it must not
 * delay the end, expiry or rotation of any other stream, nor hold up the threads that call these methods.
 */
public interface StreamOutput {

  /**
   * Runs {@code task} soon, serialised with the application's writes to the same response, and returns
   * without waiting: neither for a write in progress (the task may then run right after it, on the
   * writing thread) nor on any client. Must not run it on the calling thread if that could block the
   * caller (it is called from sse-auth's timer and store threads), nor on a thread that other streams'
   * tasks or ends could have to wait for while it is blocked on this stream's client. The tasks of an
   * ended stream need not run.
   */
  void execute(Runnable task);

  /**
   * Writes {@code bytes} to the client and flushes. Called only from tasks passed to {@link #execute}.
   *
   * @throws IOException if the client is gone or the stream has ended
   */
  void write(byte[] bytes) throws IOException;

  /**
   * Ends the response (the client reconnects and is judged again), and returns without waiting on the
   * client or for a write in progress. The response ends promptly: at once if no write to it is in
   * progress (the application is idle), else right after that write, and no application write after the
   * end reaches the client. May be called from any thread, also while {@link Allowed#open} is still
   * running (a session revoked just before its stream opened).
   *
   * @param reason why: the session expired or was revoked; null when a write of sse-auth's own (a rotation
   *     event, a heartbeat) failed, the client being gone
   */
  void end(Reason reason);
}
