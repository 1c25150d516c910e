package dev.sseauth.internal;

import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreContext;
import dev.sseauth.spi.StoreProvider;
import java.util.Set;

/** {@code sseauth.store=memory}: the default, single-node store. */
public final class MemoryStoreProvider implements StoreProvider {
  /** Key: how many outstanding tickets the memory store holds at most. */
  public static final String MAX_ENTRIES = "sseauth.memory.max-entries";

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public Set<String> propertyKeys() {
    return Set.of(MAX_ENTRIES);
  }

  /** Its one key is a number. */
  @Override
  public Set<String> sensitiveKeys() {
    return Set.of();
  }

  @Override
  public SseAuthStore create(StoreContext context) {
    String v = context.properties().getOrDefault(MAX_ENTRIES, "1000000");
    long max;
    try {
      max = Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      max = -1;
    }
    if (max < 1 || max > 100_000_000) {
      throw ConfigErrors.bad(MAX_ENTRIES, v, "must be between 1 and 100000000");
    }
    return new MemoryStore(context.clock(), max);
  }
}
