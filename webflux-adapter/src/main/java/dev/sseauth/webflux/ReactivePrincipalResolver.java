package dev.sseauth.webflux;

import dev.sseauth.BearerTokenVerifier;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.Reply;
import java.util.Objects;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Finds who is asking for a ticket at the ticket endpoint. It runs on the application's already
 * authenticated API request, never on a stream request.
 *
 * <p>Implementations must be thread-safe and must not block. A missing, malformed, forged or expired
 * credential is "no principal": an empty {@code Mono} (or one that fails), which the endpoint answers with
 * 401.
 */
@FunctionalInterface
public interface ReactivePrincipalResolver {

  /**
   * The principal of an authenticated request.
   *
   * @param exchange the ticket request; never null
   * @return the principal, or empty if the request is not authenticated; never null
   */
  Mono<SsePrincipal> resolve(ServerWebExchange exchange);

  /**
   * The exchange's principal ({@link ServerWebExchange#getPrincipal()}), its name as the subject: what
   * Spring Security's reactive chain authenticated, when the filter runs after it. Spring Security's
   * anonymous user (its {@code AnonymousAuthenticationToken}) is no principal.
   */
  static ReactivePrincipalResolver exchangePrincipal() {
    return exchange -> exchange.getPrincipal().flatMap(p -> {
      if (p instanceof SsePrincipal sp) {
        return Mono.just(sp);
      }
      if (anonymous(p.getClass())) {
        return Mono.empty(); // Spring Security's anonymous user has not logged in
      }
      String name = p.getName();
      return name == null || name.isEmpty() ? Mono.empty() : Mono.just(SsePrincipal.of(name));
    });
  }

  /** Whether {@code type} is Spring Security's {@code AnonymousAuthenticationToken} or extends it. */
  private static boolean anonymous(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      if (c.getName().equals("org.springframework.security.authentication.AnonymousAuthenticationToken")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Verifies an {@code Authorization: Bearer <JWT>} header with {@code verifier}, for APIs that
   * authenticate with bearer access tokens (a remote key set is fetched without blocking).
   *
   * @param verifier the verifier; never null
   * @throws NullPointerException if verifier is null
   */
  static ReactivePrincipalResolver bearer(BearerTokenVerifier verifier) {
    Objects.requireNonNull(verifier, "verifier");
    return exchange -> Mono.fromCompletionStage(() -> verifier.verifyAsync(
        exchange.getRequest().getHeaders().getFirst(Reply.Header.AUTHORIZATION))).flatMap(Mono::justOrEmpty);
  }
}
