package dev.sseauth.internal;

import dev.sseauth.LiveStream;
import dev.sseauth.StreamOutput;

/** What an {@link dev.sseauth.Allowed} needs to start a live stream. Internal: not a public API. */
public interface StreamGrant {
  /** Starts tracking a live stream that writes through {@code output}. */
  LiveStream open(StreamOutput output);
}
