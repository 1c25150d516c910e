package dev.sseauth;

/**
 * The outcome of judging a stream request: {@link Allowed} or {@link Denied}.
 *
 * <p>Immutable and thread-safe. Adapters render it and nothing more.
 */
public sealed interface Decision permits Allowed, Denied {}
