package dev.sseauth.adapter;

import dev.sseauth.SessionInfo;

import java.io.IOException;
import java.io.OutputStream;

/**
 * One live event stream of an allowed session: it rewrites every SSE {@code id} the application writes
 * into {@code <token>_<id>}, rotates the token before it expires (a silent event), and ends the
 * response through its {@link StreamOutput} when the session expires or is revoked.
 *
 * <p>Not thread-safe for writing: {@link #write} must be serialised with the tasks the stream hands to
 * {@link StreamOutput#execute}. {@link #close()} may be called from any thread.
 */
public interface LiveStream extends AutoCloseable {

  /**
   * Rewrites {@code len} application bytes from {@code b} to {@code out}. Any split of a stream into
   * writes gives the same output; bytes other than {@code id} fields pass unchanged.
   *
   * @throws IOException if {@code out} throws
   */
  void write(byte[] b, int off, int len, OutputStream out) throws IOException;

  /** The session as of the latest rotation; never null. */
  SessionInfo session();

  /** Stops rotation, expiry and revocation tracking. Idempotent. */
  @Override
  void close();
}
