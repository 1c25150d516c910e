package dev.sseauth.adapter;

import dev.sseauth.Denied;

/**
 * The outcome of judging a stream request: {@link Allowed} or {@link Denied}, both created only by the
 * core.
 *
 * <p>Immutable and thread-safe. Adapters render it and nothing more.
 */
public interface Decision {}
