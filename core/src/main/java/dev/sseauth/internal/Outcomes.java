package dev.sseauth.internal;

import dev.sseauth.Denied;
import dev.sseauth.Reason;
import dev.sseauth.SessionInfo;
import dev.sseauth.adapter.Allowed;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.EnumMap;
import java.util.Map;

/**
 * Creates {@link Allowed} and {@link Denied}, whose constructors are private: a security decision comes
 * from the core only. Reaches them through a private lookup, which Java grants within the core's own
 * module (or the class path) and to no one outside it. Internal: not a public API.
 */
public final class Outcomes {
  private static final MethodHandle ALLOWED;
  private static final Map<Reason, Denied> DENIED = new EnumMap<>(Reason.class);

  static {
    try {
      MethodHandles.Lookup self = MethodHandles.lookup();
      ALLOWED = MethodHandles.privateLookupIn(Allowed.class, self).findConstructor(Allowed.class,
          MethodType.methodType(void.class, SessionInfo.class, String.class, String.class, byte[].class,
              boolean.class, StreamGrant.class));
      MethodHandle denied = MethodHandles.privateLookupIn(Denied.class, self)
          .findConstructor(Denied.class, MethodType.methodType(void.class, Reason.class));
      for (Reason r : Reason.values()) {
        DENIED.put(r, (Denied) denied.invokeExact(r));
      }
    } catch (Throwable e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Outcomes() {}

  /** The one refusal for {@code reason}. */
  public static Denied denied(Reason reason) {
    return DENIED.get(reason);
  }

  /** A decision to let a stream request through; see {@link Allowed} for the parts. */
  public static Allowed allowed(SessionInfo session, String previousId, String appQuery, byte[] handshake,
      boolean endAfterHandshake, StreamGrant grant) {
    try {
      return (Allowed) ALLOWED.invokeExact(session, previousId, appQuery, handshake, endAfterHandshake, grant);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }
}
