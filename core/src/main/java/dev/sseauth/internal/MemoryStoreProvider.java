package dev.sseauth.internal;

import dev.sseauth.spi.ConfigKey;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreContext;
import dev.sseauth.spi.StoreProvider;
import java.util.List;

/** {@code sseauth.store=memory}: the default, single-node store. */
public final class MemoryStoreProvider implements StoreProvider {
  /** Key: how many outstanding tickets the memory store holds at most. */
  public static final String MAX_ENTRIES = "sseauth.memory.max-entries";

  private static final ConfigKey<Integer> MAX_ENTRIES_KEY = ConfigKey.integer(MAX_ENTRIES, 1_000_000, 1, 100_000_000,
      "outstanding tickets the memory store holds (revocations are never evicted early)");

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public List<ConfigKey<?>> configKeys() {
    return List.of(MAX_ENTRIES_KEY);
  }

  @Override
  public SseAuthStore create(StoreContext context) {
    return new MemoryStore(context.clock(), MAX_ENTRIES_KEY.read(context.properties()));
  }
}
