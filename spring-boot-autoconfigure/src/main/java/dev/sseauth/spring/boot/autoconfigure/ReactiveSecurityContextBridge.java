package dev.sseauth.spring.boot.autoconfigure;

import dev.sseauth.SessionInfo;
import dev.sseauth.webflux.SseAuthWebFilter;
import java.util.List;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Hands Spring Security's reactive chain an allowed stream request's authentication, as
 * {@link SecurityContextBridge} does for the servlet one: a {@link PreAuthenticatedAuthenticationToken}
 * whose principal is the session's {@link dev.sseauth.SsePrincipal} (its name the subject), whose details
 * are the {@link SessionInfo}, with no credentials and no authorities, in the Reactor context the rest of
 * the chain runs in ({@link ReactiveSecurityContextHolder#withAuthentication}). Spring Security's
 * {@code ReactorContextWebFilter} keeps a security context already there and loads none from its
 * {@code ServerSecurityContextRepository} (so the stream touches no {@code WebSession}); its
 * {@code anyExchange().authenticated()} lets the stream through, and the controller's {@code Principal},
 * {@code @AuthenticationPrincipal} and {@code ReactiveSecurityContextHolder} see the stream's principal. A
 * rule that asks for a role refuses the stream. Nothing saves this context: it lives as long as the
 * request. Only loaded with Spring Security on the class path. Stateless.
 */
final class ReactiveSecurityContextBridge {
  private ReactiveSecurityContextBridge() {}

  /** Continues {@code chain} with {@code allowed}, authenticated as its session's principal. */
  static Mono<Void> authenticated(ServerWebExchange allowed, WebFilterChain chain) {
    SessionInfo session = allowed.getAttribute(SseAuthWebFilter.SESSION_ATTRIBUTE);
    PreAuthenticatedAuthenticationToken authentication =
        new PreAuthenticatedAuthenticationToken(session.principal(), null, List.of());
    authentication.setDetails(session);
    return chain.filter(allowed).contextWrite(ReactiveSecurityContextHolder.withAuthentication(authentication));
  }
}
