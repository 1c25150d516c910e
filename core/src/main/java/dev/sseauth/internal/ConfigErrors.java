package dev.sseauth.internal;

import dev.sseauth.spi.ConfigKey;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreContext;
import dev.sseauth.spi.StoreProvider;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The one rule for what a configuration error may show: the key always, the value only if the key is
 * known and not {@link ConfigKey#isSensitive() sensitive} in the key table ({@link CoreKeys} and each
 * store provider's {@link StoreProvider#configKeys()}). The value of every unknown key (a misspelt
 * {@code sseauth.redis.url} may hold a password) is never shown. Messages about a known key are made by
 * its {@link ConfigKey}, which follows the same rule. Stateless and thread-safe.
 */
public final class ConfigErrors {
  private ConfigErrors() {}

  /**
   * Whether the value of {@code key} may appear in a message: true for a known key whose values cannot
   * hold a credential (durations, numbers, enums, booleans, paths, names).
   */
  public static boolean showsValue(String key) {
    ConfigKey<?> k = ConfigReader.key(key);
    return k != null && !k.isSensitive();
  }

  /**
   * A bad value: {@code "<key> <rule>, but was '<value>'"}, or {@code "<key> <rule>"} if the value
   * must not be shown ({@link #showsValue}).
   *
   * @param rule what the value must be, such as {@code "must be between 1s and 10m"}
   */
  public static IllegalArgumentException bad(String key, String value, String rule) {
    return new IllegalArgumentException(showsValue(key) ? key + " " + rule + ", but was '" + value + "'" : key + " " + rule);
  }

  /** A message about {@code key} that holds no value at all, such as {@code "<key> must be set"}. */
  public static IllegalArgumentException about(String key, String message) {
    return new IllegalArgumentException(key + " " + message);
  }

  /**
   * Creates a store with {@code provider}; whatever it throws leaves with every value of the provider's
   * {@link StoreProvider#sensitiveKeys() sensitive keys} (and the credentials inside a URI value)
   * scrubbed from its message and its causes' ({@link Redaction#scrub(RuntimeException, java.util.Collection)}).
   */
  public static SseAuthStore createStore(StoreProvider provider, StoreContext context) {
    try {
      return provider.create(context);
    } catch (RuntimeException e) {
      Set<String> credentials = new LinkedHashSet<>();
      for (String key : provider.sensitiveKeys()) {
        String v = context.properties().get(key);
        if (v != null) {
          credentials.add(v);
          credentials.addAll(Redaction.uriCredentials(v.trim()));
        }
      }
      throw Redaction.scrub(e, credentials);
    }
  }
}
