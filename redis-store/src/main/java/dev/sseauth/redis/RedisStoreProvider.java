package dev.sseauth.redis;

import dev.sseauth.spi.ConfigKey;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreContext;
import dev.sseauth.spi.StoreProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code sseauth.store=redis}: found through {@link java.util.ServiceLoader}. Keys:
 * {@value #URI} (default {@code redis://127.0.0.1:6379}), {@value #KEY_PREFIX} (default
 * {@code sseauth:}), {@value #TIMEOUT} (default {@code 2s}); {@link #configKeys()} declares each with
 * its range. Thread-safe.
 */
public final class RedisStoreProvider implements StoreProvider {
  /** The Redis server URI. */
  public static final String URI = "sseauth.redis.uri";
  /** The prefix of every key and of the revocation channel. */
  public static final String KEY_PREFIX = "sseauth.redis.key-prefix";
  /** Command and connect timeout. */
  public static final String TIMEOUT = "sseauth.redis.timeout";

  static final ConfigKey<String> URI_KEY = ConfigKey.uri(URI, "redis://127.0.0.1:6379", null,
      "must be a URI such as redis://127.0.0.1:6379",
      "the Redis server: `redis://`, `rediss://` (TLS), `redis-sentinel://` or `redis-cluster://host:port,host:port`, "
      + "with a user and password if it needs them");
  static final ConfigKey<String> KEY_PREFIX_KEY = ConfigKey.string(KEY_PREFIX, "sseauth:", "[A-Za-z0-9:_.{}\\-]{0,64}",
      "must be 0 to 64 of A-Z a-z 0-9 : _ . - { }",
      "prefix of every key and of the revocation channel; the nodes of one cluster use the same");
  static final ConfigKey<Duration> TIMEOUT_KEY = ConfigKey.duration(TIMEOUT, Duration.ofSeconds(2), Duration.ofMillis(10),
      Duration.ofMinutes(1), "Lettuce command and connect timeout; `sseauth.store.timeout` still bounds every request");

  /** Used by {@link java.util.ServiceLoader}. */
  public RedisStoreProvider() {}

  @Override
  public String name() {
    return "redis";
  }

  /** The URI (sensitive: it may hold a user and password), the key prefix and the timeout. */
  @Override
  public List<ConfigKey<?>> configKeys() {
    return List.of(URI_KEY, KEY_PREFIX_KEY, TIMEOUT_KEY);
  }

  @Override
  public SseAuthStore create(StoreContext context) {
    return builder(context).build();
  }

  /** Validates every property into a builder; nothing connects yet. */
  static RedisStore.Builder builder(StoreContext context) {
    Map<String, String> p = context.properties();
    return RedisStore.builder().clock(context.clock())
        .uri(URI_KEY.read(p))
        .keyPrefix(KEY_PREFIX_KEY.read(p))
        .timeout(TIMEOUT_KEY.read(p));
  }
}
