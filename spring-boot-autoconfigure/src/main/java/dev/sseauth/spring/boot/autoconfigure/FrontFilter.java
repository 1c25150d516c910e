package dev.sseauth.spring.boot.autoconfigure;

import dev.sseauth.SseAuth;
import dev.sseauth.servlet.SseAuthFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Consumer;
import org.springframework.util.ClassUtils;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * What sse-auth does in front of Spring Security's filter chain (bean {@code sseAuthStreamFilter}):
 *
 * <ul>
 *   <li>judges stream requests ({@link SseAuthFilter#streamsOnly}), so a refused one never reaches the
 *       application's security (no login redirect for an {@code EventSource}, no ticket in its logs), and an
 *       allowed one reaches it authenticated as its session's principal ({@link #onAllowed});
 *   <li>serves {@code /sse-auth.js} from the core's jar, so the page's helper needs no login;
 *   <li>names the route of sse-auth's own answers in Spring's HTTP server observation
 *       ({@code http.server.requests}): the ticket path, or the guarded path pattern, instead of
 *       {@code UNKNOWN}.
 * </ul>
 *
 * <p>CORS preflights pass on unjudged, to the application's CORS handling (Spring Security's
 * {@code CorsFilter}); the filter behind Spring Security refuses one that gets through (405). Requests to
 * the ticket path pass on: the {@code sseAuthFilter} behind Spring Security serves them to
 * the principal it found. Thread-safe.
 */
final class FrontFilter implements Filter {
  private static final boolean OBSERVATIONS = ClassUtils.isPresent(
      "org.springframework.web.filter.ServerHttpObservationFilter", FrontFilter.class.getClassLoader());

  private final FrontRules rules;
  private final SseAuthFilter guard;
  private final Consumer<HttpServletRequest> onAllowed;

  /**
   * @param onAllowed told of each request the guard allowed, before the rest of the chain runs (it sets
   *     the Spring Security context); may do nothing
   */
  FrontFilter(SseAuth auth, Consumer<HttpServletRequest> onAllowed) {
    this.rules = new FrontRules(auth.config());
    this.guard = SseAuthFilter.streamsOnly(auth);
    this.onAllowed = onAllowed;
  }

  @Override
  public void init(FilterConfig filterConfig) throws ServletException {
    guard.init(filterConfig);
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
      chain.doFilter(req, res);
      return;
    }
    if (request.getDispatcherType() == DispatcherType.REQUEST) {
      // the path as the container decoded it: only names the script and a route, the guard reads its own
      String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
      if (FrontRules.isScript(request.getMethod(), path)) {
        sendScript(request, response);
        return;
      }
      if (OBSERVATIONS) {
        nameRoute(request, path);
      }
    }
    if (FrontRules.isPreflight(request.getMethod(), request.getHeader("Access-Control-Request-Method"))) {
      chain.doFilter(req, res); // a CORS preflight, for Spring's CORS handling; it carries no credential
      return;
    }
    guard.doFilter(request, response, (rq, rs) -> {
      if (rq.getAttribute(SseAuthFilter.SESSION_ATTRIBUTE) != null) {
        onAllowed.accept((HttpServletRequest) rq);
      }
      chain.doFilter(rq, rs);
    });
  }

  /** Names the route of a request sse-auth may answer itself, unless the application's handler did. */
  private void nameRoute(HttpServletRequest request, String path) {
    String route = rules.route(path);
    if (route != null) {
      ServerHttpObservationFilter.findObservationContext(request).ifPresent(c -> {
        if (c.getPathPattern() == null) {
          c.setPathPattern(route);
        }
      });
    }
  }

  private void sendScript(HttpServletRequest request, HttpServletResponse response) throws IOException {
    byte[] script = rules.script();
    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentType(FrontRules.SCRIPT_TYPE);
    for (String[] h : FrontRules.SCRIPT_HEADERS) {
      response.setHeader(h[0], h[1]);
    }
    response.setContentLength(script.length);
    if (!"HEAD".equals(request.getMethod())) {
      response.getOutputStream().write(script);
    }
  }
}
