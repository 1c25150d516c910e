package dev.sseauth.webflux.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import org.springframework.http.HttpHeaders;

/**
 * Removing a header on both Spring lines this adapter runs on: Spring Framework 7 has
 * {@code HttpHeaders.remove(String)}, 6 only {@code Map.remove(Object)} (its {@code HttpHeaders} is a
 * {@code MultiValueMap}). Every other header method used here has the same signature on both.
 */
final class Headers {
  private static final MethodHandle REMOVE = remove();

  private Headers() {}

  private static MethodHandle remove() {
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    for (Class<?> param : new Class<?>[] {String.class, Object.class}) {
      try {
        return lookup.findVirtual(HttpHeaders.class, "remove", MethodType.methodType(List.class, param));
      } catch (NoSuchMethodException | IllegalAccessException e) {
        // the other Spring line
      }
    }
    throw new ExceptionInInitializerError("HttpHeaders has no remove method");
  }

  /** Removes every value of {@code name} (any case). */
  static void remove(HttpHeaders headers, String name) {
    try {
      Object ignored = REMOVE.invoke(headers, name);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }
}
