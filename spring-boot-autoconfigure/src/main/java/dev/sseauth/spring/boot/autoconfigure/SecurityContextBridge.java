package dev.sseauth.spring.boot.autoconfigure;

import dev.sseauth.SessionInfo;
import dev.sseauth.servlet.SseAuthFilter;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;

/**
 * Hands Spring Security an allowed stream request's authentication: a
 * {@link PreAuthenticatedAuthenticationToken} whose principal is the session's
 * {@link dev.sseauth.SsePrincipal} (its name the subject), whose details are the {@link SessionInfo}, with
 * no credentials and no authorities, stored where Spring Security's default
 * {@code SecurityContextRepository} looks first: the request attribute of
 * {@link RequestAttributeSecurityContextRepository}. So the application's own rules for the stream path
 * ({@code authenticated()}) hold for it on the request and its ASYNC dispatches, and the controller's
 * {@code SecurityContextHolder} and {@code @AuthenticationPrincipal} see the stream's principal. A rule that
 * asks for a role refuses the stream. A chain that keeps its context elsewhere only (a repository without
 * the request attribute) ignores this authentication: Spring Security then sees the request's own login,
 * if any. A chain that saves its context implicitly is refused at startup ({@link #check}). Only loaded
 * with Spring Security on the class path. Stateless.
 */
final class SecurityContextBridge {
  private SecurityContextBridge() {}

  /** The legacy filter that saves whatever context a request ends with into the HTTP session. */
  static final String IMPLICIT_SAVE = "org.springframework.security.web.context.SecurityContextPersistenceFilter";

  /**
   * Refuses a chain that saves its security context implicitly ({@code requireExplicitSave(false)}): it
   * would save a stream's authentication into the HTTP session, where it would outlive the stream's token
   * and its revocation.
   *
   * @throws IllegalStateException if {@code chain} does
   */
  static void check(SecurityFilterChain chain) {
    for (Filter f : chain.getFilters()) {
      if (f.getClass().getName().equals(IMPLICIT_SAVE)) {
        throw new IllegalStateException("sse-auth: a SecurityFilterChain saves its security context implicitly "
            + "(SecurityContextPersistenceFilter, from securityContext(c -> c.requireExplicitSave(false))), which "
            + "would save a stream's authentication into the HTTP session; keep Spring Security's default, "
            + "requireExplicitSave(true), or register an SseAuthFilter yourself");
      }
    }
  }

  static void authenticate(HttpServletRequest request) {
    SessionInfo session = (SessionInfo) request.getAttribute(SseAuthFilter.SESSION_ATTRIBUTE);
    PreAuthenticatedAuthenticationToken authentication =
        new PreAuthenticatedAuthenticationToken(session.principal(), null, List.of());
    authentication.setDetails(session);
    SecurityContext context = SecurityContextHolder.getContextHolderStrategy().createEmptyContext();
    context.setAuthentication(authentication);
    request.setAttribute(RequestAttributeSecurityContextRepository.DEFAULT_REQUEST_ATTR_NAME, context);
  }
}
