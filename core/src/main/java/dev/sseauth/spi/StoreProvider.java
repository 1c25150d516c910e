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
   * Creates a store.
   *
   * @throws IllegalArgumentException if a property is invalid; the message names the key and value
   */
  SseAuthStore create(StoreContext context);
}
