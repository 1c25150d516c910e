package dev.sseauth.spi;

import java.util.Set;

/**
 * Creates a store by name; found through {@link java.util.ServiceLoader} when
 * {@code sseauth.store} names it. Register an implementation in
 * {@code META-INF/services/dev.sseauth.spi.StoreProvider}.
 *
 * <p>Implementations must be thread-safe and have a public no-argument constructor.
 */
public interface StoreProvider {

  /** The name {@code sseauth.store} selects this provider by, such as {@code redis}. */
  String name();

  /**
   * The configuration keys this store reads, with their full names ({@code sseauth.redis.uri}).
   * Any other key under {@code sseauth.<name>.} fails configuration as unknown.
   */
  Set<String> propertyKeys();

  /**
   * The keys among {@link #propertyKeys()} whose values may hold a credential (a password, a URI with
   * one, a user name); no message, exception or log line ever shows their values, and a store's own
   * messages must not either. By default every key: a provider lists fewer only for keys whose values
   * are durations, numbers, booleans or names.
   */
  default Set<String> sensitiveKeys() {
    return propertyKeys();
  }

  /**
   * Creates a store.
   *
   * @throws IllegalArgumentException if a property is invalid; the message names the key, and the
   *     value only if the key is not among {@link #sensitiveKeys()}
   * @throws IllegalStateException if the store cannot be used now (such as its server unreachable); the
   *     message and its causes' messages hold no value of a {@link #sensitiveKeys() sensitive key}
   */
  SseAuthStore create(StoreContext context);
}
