package dev.sseauth.spi;

import dev.sseauth.internal.MemoryStore;
import dev.sseauth.testing.MutableClock;

class MemoryStoreContractTest extends StoreContractTest {
  @Override
  protected SseAuthStore createStore(MutableClock clock) {
    return new MemoryStore(clock, 100_000);
  }
}
