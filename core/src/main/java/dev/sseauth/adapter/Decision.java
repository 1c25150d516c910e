package dev.sseauth.adapter;

import dev.sseauth.Denied;

/**
 * The outcome of judging a stream request: {@link Allowed} or {@link Denied}, both created only by the
 * core. An adapter sends {@link #reply()} when it is not null (a refusal, or a reconnect-mode handshake)
 * and otherwise passes the request to the application as {@link Allowed} says.
 *
 * <p>Immutable and thread-safe. Adapters render it and nothing more.
 */
public interface Decision {
  /** The complete response to send instead of running the application, or null to run it. */
  Reply reply();
}
