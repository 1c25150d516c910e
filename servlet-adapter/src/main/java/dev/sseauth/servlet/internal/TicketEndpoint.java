package dev.sseauth.servlet.internal;

import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.servlet.PrincipalResolver;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The ticket endpoint, shared by the filter and the servlet: the core answers
 * ({@link SseAuth#answerTicketRequest}) and the answer is sent as it is. Thread-safe.
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

  /**
   * How long the request thread waits for the core before refusing with
   * {@link Reason#STORE_UNAVAILABLE}: well past the core's own store bound.
   */
  public static Duration backstop(SseAuth auth) {
    return auth.config().storeTimeout().multipliedBy(3).plusSeconds(1);
  }

  /** Answers a ticket request completely; the resolver runs on this thread, and only for a POST. */
  public void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
    Replies.send(response, Replies.await(auth.answerTicketRequest(request.getMethod(),
        () -> CompletableFuture.completedFuture(resolver.resolve(request))), bound, Reason.STORE_UNAVAILABLE.reply()));
  }
}
