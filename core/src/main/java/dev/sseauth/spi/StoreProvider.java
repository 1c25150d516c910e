package dev.sseauth.spi;

import java.util.LinkedHashSet;
import java.util.List;
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
   * The configuration keys this store reads, each declared once as a {@link ConfigKey} with its full
   * name ({@code sseauth.redis.uri}), type, default, allowed values, sensitivity and description, in
   * the order the documentation lists them. The core checks a store's properties against these keys
   * when it reads its configuration; any other key under {@code sseauth.<name>.} fails as unknown. Read
   * the values in {@link #create} with {@link ConfigKey#read}.
   *
   * @return the keys, never null; the same on every call
   */
  List<ConfigKey<?>> configKeys();

  /**
   * The names of the {@link ConfigKey#isSensitive() sensitive} keys among {@link #configKeys()}, whose
   * values may hold a credential (a password, a URI with one, a user name): no message, exception or log
   * line ever shows them, and a store's own messages must not either. Derived from the key table;
   * providers do not override it.
   */
  default Set<String> sensitiveKeys() {
    Set<String> out = new LinkedHashSet<>();
    for (ConfigKey<?> k : configKeys()) {
      if (k.isSensitive()) {
        out.add(k.name());
      }
    }
    return out;
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
