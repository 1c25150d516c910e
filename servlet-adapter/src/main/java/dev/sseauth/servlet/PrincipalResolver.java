package dev.sseauth.servlet;

import dev.sseauth.BearerTokenVerifier;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.Reply;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.Objects;

/**
 * Finds who is asking for a ticket at the ticket endpoint. It runs on the application's already
 * authenticated API request, never on a stream request.
 *
 * <p>Implementations must be thread-safe and must not throw for client input: a missing, malformed,
 * forged or expired credential is "no principal" ({@code null}), which the endpoint answers with 401.
 */
@FunctionalInterface
public interface PrincipalResolver {

  /**
   * The principal of an authenticated request.
   *
   * @param request the ticket request; never null
   * @return the principal, or null if the request is not authenticated
   */
  SsePrincipal resolve(HttpServletRequest request);

  /**
   * The container's (or Spring Security's) authentication: {@link HttpServletRequest#getUserPrincipal()},
   * its name as the subject. Register the filter after the authentication filters so they have run.
   */
  static PrincipalResolver container() {
    return request -> {
      Principal p = request.getUserPrincipal();
      if (p instanceof SsePrincipal sp) {
        return sp;
      }
      String name = p == null ? null : p.getName();
      return name == null || name.isEmpty() ? null : SsePrincipal.of(name);
    };
  }

  /**
   * Verifies an {@code Authorization: Bearer <JWT>} header with {@code verifier}, for APIs that
   * authenticate with bearer access tokens.
   *
   * @param verifier the verifier; never null
   */
  static PrincipalResolver bearer(BearerTokenVerifier verifier) {
    Objects.requireNonNull(verifier, "verifier");
    return request -> verifier.verify(request.getHeader(Reply.Header.AUTHORIZATION)).orElse(null);
  }
}
