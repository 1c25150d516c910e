package dev.sseauth.redis;

import dev.sseauth.internal.ConfigReader;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreContext;
import dev.sseauth.spi.StoreProvider;
import java.util.Map;
import java.util.Set;

/**
 * {@code sseauth.store=redis}: found through {@link java.util.ServiceLoader}. Keys:
 * {@value #URI} (default {@code redis://127.0.0.1:6379}), {@value #KEY_PREFIX} (default
 * {@code sseauth:}), {@value #TIMEOUT} (default {@code 2s}). Thread-safe.
 */
public final class RedisStoreProvider implements StoreProvider {
  /** The Redis server URI. */
  public static final String URI = "sseauth.redis.uri";
  /** The prefix of every key and of the revocation channel. */
  public static final String KEY_PREFIX = "sseauth.redis.key-prefix";
  /** Command and connect timeout. */
  public static final String TIMEOUT = "sseauth.redis.timeout";

  /** Used by {@link java.util.ServiceLoader}. */
  public RedisStoreProvider() {}

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public Set<String> propertyKeys() {
    return Set.of(URI, KEY_PREFIX, TIMEOUT);
  }

  /** The URI may hold a user and password; the prefix and the timeout cannot. */
  @Override
  public Set<String> sensitiveKeys() {
    return Set.of(URI);
  }

  @Override
  public SseAuthStore create(StoreContext context) {
    return builder(context).build();
  }

  /** Validates every property into a builder; nothing connects yet. */
  static RedisStore.Builder builder(StoreContext context) {
    Map<String, String> p = context.properties();
    RedisStore.Builder b = RedisStore.builder().clock(context.clock());
    if (p.containsKey(URI)) {
      b.uri(p.get(URI).trim());
    }
    if (p.containsKey(KEY_PREFIX)) {
      b.keyPrefix(p.get(KEY_PREFIX).trim());
    }
    if (p.containsKey(TIMEOUT)) {
      b.timeout(ConfigReader.duration(TIMEOUT, p.get(TIMEOUT).trim()));
    }
    return b;
  }
}
