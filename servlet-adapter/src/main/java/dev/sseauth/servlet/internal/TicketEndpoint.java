package dev.sseauth.servlet.internal;

import dev.sseauth.Denied;
import dev.sseauth.IssuedTicket;
import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.SsePrincipal;
import dev.sseauth.TicketOutcome;
import dev.sseauth.servlet.PrincipalResolver;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * The ticket endpoint, shared by the filter and the servlet: {@code POST} with an authenticated
 * principal gets {@code {"ticket":...}}; anything else is refused. Thread-safe.
 */
public final class TicketEndpoint {
  private final SseAuth auth;
  private final PrincipalResolver resolver;
  private final Duration bound;

  public TicketEndpoint(SseAuth auth, PrincipalResolver resolver) {
    this.auth = Objects.requireNonNull(auth, "auth");
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.bound = backstop(auth);
  }

  /** The resolver the configuration implies: bearer JWTs if {@code sseauth.bearer.*} is set, else the container's. */
  public static PrincipalResolver defaultResolver(SseAuth auth) {
    return auth.config().bearerVerifier() != null
        ? PrincipalResolver.bearer(auth.config().bearerVerifier())
        : PrincipalResolver.container();
  }

  /** How long the request thread waits for the core before refusing with 503: well past the core's own store bound. */
  public static Duration backstop(SseAuth auth) {
    return auth.config().storeTimeout().multipliedBy(3).plusSeconds(1);
  }

  /** Answers a ticket request completely. */
  public void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
    if (!"POST".equals(request.getMethod())) {
      response.setStatus(405);
      response.setHeader("Allow", "POST");
      Responses.text(response, "only POST is allowed on the ticket endpoint");
      return;
    }
    SsePrincipal principal = resolver.resolve(request);
    if (principal == null) {
      Responses.deny(response, new Denied(Reason.NOT_AUTHENTICATED));
      return;
    }
    TicketOutcome outcome = Responses.await(auth.issueTicket(principal), bound, new Denied(Reason.STORE_UNAVAILABLE));
    if (outcome instanceof IssuedTicket ticket) {
      Responses.json(response, ticket.toJson());
    } else {
      Responses.deny(response, (Denied) outcome);
    }
  }
}
