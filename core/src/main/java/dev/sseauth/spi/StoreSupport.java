package dev.sseauth.spi;

import dev.sseauth.internal.Redaction;
import dev.sseauth.internal.Tickets;
import java.util.Collection;
import java.util.Set;

/**
 * What a store needs from the core besides its settings (which it reads with {@link ConfigKey}):
 * keeping credentials out of the exceptions that its driver or client throws, and random ids.
 * Stateless and thread-safe.
 */
public final class StoreSupport {
  private StoreSupport() {}

  /**
   * {@code e} itself if nothing it would log (its message, its causes' and its suppressed exceptions')
   * holds any of {@code credentials}; else an exception of the same kind
   * ({@link IllegalArgumentException}, otherwise {@link IllegalStateException}) whose message and
   * causes' messages have every credential replaced by {@code ***}. The causes are replaced by copies
   * that keep their class names and stack traces. Use it on what a driver or client threw while
   * connecting with a URI, user or password.
   *
   * @param credentials the values to remove, such as {@link #uriCredentials(String)} of a URI and a
   *     password; null and empty ones are ignored. A credential that starts or ends with a letter,
   *     digit or {@code _} is replaced only as a whole word
   */
  public static RuntimeException scrub(RuntimeException e, Collection<String> credentials) {
    return Redaction.scrub(e, credentials);
  }

  /**
   * The parts of a server URI or JDBC URL that may be credentials, as written and percent-decoded: the
   * whole value, its user info and each part of it, and the values of {@code password}, {@code pwd},
   * {@code passwd}, {@code user} and {@code username} parameters ({@code ?a=b&c=d} or {@code ;A=B}).
   *
   * @param uri the URI, or null (then the set is empty)
   * @return a new mutable set, in the order found
   */
  public static Set<String> uriCredentials(String uri) {
    return Redaction.uriCredentials(uri);
  }

  /**
   * {@code bytes} bytes from a {@link java.security.SecureRandom}, as unpadded base64url: for ids that
   * must not be guessed or collide, such as a deployment id or a channel name.
   *
   * @throws NegativeArraySizeException if {@code bytes} is negative
   */
  public static String randomId(int bytes) {
    return Tickets.randomId(bytes);
  }
}
