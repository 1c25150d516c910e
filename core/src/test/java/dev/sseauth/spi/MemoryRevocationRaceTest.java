package dev.sseauth.spi;

import dev.sseauth.internal.MemoryStore;
import dev.sseauth.testing.ForwardingStore;
import java.time.Clock;

/** Two nodes sharing one memory store: the core's side of the races, with no network in between. */
class MemoryRevocationRaceTest extends RevocationRaceTest {
  private MemoryStore shared;

  @Override
  protected String uniquePrefix() {
    shared = null;
    return "memory";
  }

  @Override
  protected void deleteAll(String prefix) {
    shared.close();
  }

  /** The first node's clock decides expiry, as one server's clock would. */
  @Override
  protected SseAuthStore createNodeStore(String prefix, Clock clock) {
    if (shared == null) {
      shared = new MemoryStore(clock, 100_000);
    }
    return new ForwardingStore(shared) {
      @Override
      public void close() {} // the test closes the shared store
    };
  }
}
