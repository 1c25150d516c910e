package dev.sseauth.spring.boot.autoconfigure;

import dev.sseauth.SseAuth;
import dev.sseauth.webflux.SseAuthWebFilter;
import java.util.function.BiFunction;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.util.ClassUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * What sse-auth does in front of Spring Security's {@code WebFilterChainProxy} in a WebFlux application
 * (bean {@code sseAuthStreamWebFilter}), as {@link FrontFilter} does in a servlet one:
 *
 * <ul>
 *   <li>judges stream requests ({@link SseAuthWebFilter#streamsOnly}), so a refused one never reaches the
 *       application's security (no login challenge for an {@code EventSource}, no ticket in its logs), and
 *       an allowed one reaches it authenticated as its session's principal ({@link #onAllowed});
 *   <li>serves {@code /sse-auth.js} from the core's jar, so the page's helper needs no login;
 *   <li>names the route of sse-auth's own answers in Spring's HTTP server observation
 *       ({@code http.server.requests}): the ticket path, or the guarded path pattern, instead of
 *       {@code UNKNOWN}.
 * </ul>
 *
 * <p>CORS preflights pass on unjudged, to the application's CORS handling (Spring Security's
 * {@code CorsWebFilter} or {@code PreFlightRequestWebFilter}, or WebFlux's own). Requests to the ticket
 * path pass on: the {@code sseAuthWebFilter} behind Spring Security serves them to the principal it
 * found. Thread-safe.
 */
final class ReactiveFrontFilter implements WebFilter, Ordered {
  private static final boolean OBSERVATIONS = ClassUtils.isPresent(
      "org.springframework.http.server.reactive.observation.ServerRequestObservationContext",
      ReactiveFrontFilter.class.getClassLoader());

  private final FrontRules rules;
  private final SseAuthWebFilter guard;
  private final BiFunction<ServerWebExchange, WebFilterChain, Mono<Void>> onAllowed;
  private final int order;

  /**
   * @param onAllowed continues the chain with a request the guard allowed (it hands Spring Security the
   *     stream's authentication); {@link WebFilterChain#filter} if there is nothing to add
   * @param order this filter's order among the application's {@code WebFilter}s
   */
  ReactiveFrontFilter(SseAuth auth, BiFunction<ServerWebExchange, WebFilterChain, Mono<Void>> onAllowed, int order) {
    this.rules = new FrontRules(auth.config());
    this.guard = SseAuthWebFilter.streamsOnly(auth);
    this.onAllowed = onAllowed;
    this.order = order;
  }

  @Override
  public int getOrder() {
    return order;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    ServerHttpRequest request = exchange.getRequest();
    String method = request.getMethod().name();
    // the path within the application: only names the script and a route, the guard reads its own
    String path = request.getPath().pathWithinApplication().value();
    if (FrontRules.isScript(method, path)) {
      return sendScript(exchange.getResponse(), "HEAD".equals(method));
    }
    if (OBSERVATIONS) {
      nameRoute(exchange, path);
    }
    if (FrontRules.isPreflight(method, request.getHeaders().getFirst("Access-Control-Request-Method"))) {
      return chain.filter(exchange); // a CORS preflight, for the application's CORS handling; it carries no credential
    }
    return guard.filter(exchange, passed -> passed.getAttribute(SseAuthWebFilter.SESSION_ATTRIBUTE) != null
        ? onAllowed.apply(passed, chain)
        : chain.filter(passed));
  }

  /** Names the route of a request sse-auth may answer itself, unless the application's handler did. */
  private void nameRoute(ServerWebExchange exchange, String path) {
    String route = rules.route(path);
    if (route != null) {
      ServerRequestObservationContext.findCurrent(exchange.getAttributes()).ifPresent(c -> {
        if (c.getPathPattern() == null) {
          c.setPathPattern(route);
        }
      });
    }
  }

  private Mono<Void> sendScript(ServerHttpResponse response, boolean head) {
    byte[] script = rules.script();
    response.setStatusCode(HttpStatus.OK);
    HttpHeaders headers = response.getHeaders();
    headers.set(HttpHeaders.CONTENT_TYPE, FrontRules.SCRIPT_TYPE);
    for (String[] h : FrontRules.SCRIPT_HEADERS) {
      headers.set(h[0], h[1]);
    }
    headers.setContentLength(script.length);
    if (head) {
      return response.setComplete();
    }
    return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(script)));
  }
}
