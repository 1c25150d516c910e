package dev.sseauth.spring.boot.autoconfigure;

import dev.sseauth.SessionInfo;
import dev.sseauth.servlet.SseAuthFilter;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
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
 * asks for a role refuses the stream, as does a chain that keeps its context elsewhere only: fail closed.
 * Only loaded with Spring Security on the class path. Stateless.
 */
final class SecurityContextBridge {
  private SecurityContextBridge() {}

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
