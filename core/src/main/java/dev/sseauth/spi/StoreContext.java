package dev.sseauth.spi;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link StoreProvider} gets to create a store. {@link #toString()} shows the keys, never the
 * values (a URI or password among them).
 *
 * @param properties the configuration keys that belong to the store, with their full names
 *     ({@code sseauth.redis.uri}); never null
 * @param clock the clock that decides expiry; never null
 */
public record StoreContext(Map<String, String> properties, Clock clock) {
  /** @throws NullPointerException if an argument is null */
  public StoreContext {
    properties = Map.copyOf(properties);
    Objects.requireNonNull(clock, "clock");
  }

  @Override
  public String toString() {
    return "StoreContext[keys=" + new java.util.TreeSet<>(properties.keySet()) + ", clock=" + clock + "]";
  }
}
