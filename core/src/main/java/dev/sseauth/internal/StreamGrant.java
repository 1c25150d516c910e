package dev.sseauth.internal;

import dev.sseauth.adapter.LiveStream;
import dev.sseauth.adapter.StreamOutput;

/** What an {@link dev.sseauth.adapter.Allowed} needs to start a live stream. Internal: not a public API. */
public interface StreamGrant {
  /** Starts tracking a live stream that writes through {@code output}. */
  LiveStream open(StreamOutput output);
}
