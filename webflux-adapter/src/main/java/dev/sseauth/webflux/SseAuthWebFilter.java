package dev.sseauth.webflux;

import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Decision;
import dev.sseauth.adapter.StreamRequest;
import dev.sseauth.webflux.internal.AllowedExchange;
import dev.sseauth.webflux.internal.Replies;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.ContextView;

/**
 * Guards Spring WebFlux event streams with sse-auth and serves the ticket endpoint. Register it as a
 * {@code WebFilter} bean (or in {@code WebHttpHandlerBuilder}) in front of an existing endpoint that
 * returns {@code Flux<ServerSentEvent<T>>} (or writes {@code text/event-stream} any other way); the
 * endpoint is not changed.
 *
 * <ul>
 *   <li>A request to {@link SseAuthConfig#ticketPath()} (the raw path within the application, exact
 *       match) is answered by {@link SseAuth#answerTicketRequest} for the principal the
 *       {@link ReactivePrincipalResolver} finds: the ticket, or the core's refusal. The body is never read.
 *   <li>A request to a {@linkplain SseAuthConfig#guards guarded} path is judged by the core without
 *       blocking. Refused: the core's reply as it is; the application never runs. Allowed: the application
 *       sees the session's principal ({@code exchange.getPrincipal()} is the {@link SsePrincipal}), the
 *       {@link dev.sseauth.SessionInfo} as exchange attribute {@link #SESSION_ATTRIBUTE}, a
 *       {@code Last-Event-ID} holding only its own previous id, and no ticket parameter. When it answers
 *       with a 200 {@code text/event-stream}, the handshake goes first and every buffer it writes passes
 *       through the core's id rewriter ({@code <token>_<id>}), each flushed; the token is rotated in place,
 *       quiet streams get heartbeats, and on expiry or revocation the response ends and the application's
 *       {@code Flux} is cancelled, so the client reconnects and is judged again. Back-pressure holds: the
 *       application's body is read only as fast as the client takes it. Any other response passes
 *       untouched.
 *   <li>Anything else passes through, as does a request this filter (or another instance) allowed already.
 * </ul>
 *
 * <p>With Spring Security, guard streams in front of its filter chain ({@link #streamsOnly}) and serve
 * the ticket endpoint behind it, where the caller is known; the sse-auth Spring Boot starter does both.
 *
 * <p>Thread-safe; the application keeps and closes the {@link SseAuth}.
 */
public final class SseAuthWebFilter implements WebFilter {
  /** Exchange attribute holding the allowed stream's {@link dev.sseauth.SessionInfo} (the verified claims). */
  public static final String SESSION_ATTRIBUTE = "dev.sseauth.session";

  private final SseAuth auth;
  private final ReactivePrincipalResolver resolver; // null: streams only

  /**
   * A filter whose ticket endpoint issues tickets to the principal the configuration implies: a bearer
   * JWT verified by {@code sseauth.bearer.*} if set, else {@link ReactivePrincipalResolver#exchangePrincipal()}.
   *
   * @param auth the core, which the application keeps and closes; never null
   * @throws NullPointerException if auth is null
   */
  public SseAuthWebFilter(SseAuth auth) {
    this(auth, auth.config().bearerVerifier() != null
        ? ReactivePrincipalResolver.bearer(auth.config().bearerVerifier())
        : ReactivePrincipalResolver.exchangePrincipal());
  }

  /**
   * A filter whose ticket endpoint issues tickets to the principal {@code resolver} finds.
   *
   * @param auth the core, which the application keeps and closes; never null
   * @param resolver who is asking for a ticket; never null
   * @throws NullPointerException if an argument is null
   */
  public SseAuthWebFilter(SseAuth auth, ReactivePrincipalResolver resolver) {
    this.auth = Objects.requireNonNull(auth, "auth");
    this.resolver = Objects.requireNonNull(resolver, "resolver");
  }

  private SseAuthWebFilter(SseAuth auth, Void streamsOnly) {
    this.auth = auth;
    this.resolver = null;
  }

  /**
   * A filter that guards streams and passes requests to the ticket path on untouched: put it in front of
   * the application's authentication (Spring Security's {@code WebFilterChainProxy}), and serve the ticket
   * endpoint behind it with an ordinary {@code SseAuthWebFilter}, which passes on what this one allowed.
   *
   * @param auth the core, which the application keeps and closes; never null
   * @throws NullPointerException if auth is null
   */
  public static SseAuthWebFilter streamsOnly(SseAuth auth) {
    return new SseAuthWebFilter(Objects.requireNonNull(auth, "auth"), (Void) null);
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    if (exchange.getAttribute(SESSION_ATTRIBUTE) != null) {
      return chain.filter(exchange); // allowed already, by a filter in front of this one
    }
    SseAuthConfig config = auth.config();
    ServerHttpRequest request = exchange.getRequest();
    String path = request.getPath().pathWithinApplication().value();
    String method = request.getMethod().name();
    if (path.equals(config.ticketPath())) {
      if (resolver == null) {
        return chain.filter(exchange);
      }
      // the resolver runs in the request's Reactor context: Spring Security's principal lives there
      return Mono.deferContextual(context -> resumed(auth.answerTicketRequest(method, () -> principal(exchange, context))))
          .onErrorResume(e -> Mono.empty()) // the core's never fails; another's that does is refused below
          .defaultIfEmpty(Reason.STORE_UNAVAILABLE.reply())
          .flatMap(reply -> Replies.send(exchange.getResponse(), reply));
    }
    // guarded if either reading says so: the path within the application (what WebFlux routes on) or the
    // whole raw path; the core reads each every way a router might (and guards a path it cannot read). A
    // target that is no absolute path ("events", which Spring reads as part of the host, leaving the path
    // empty) cannot be read without guessing: refused, like a path the core cannot read
    String rawPath = request.getURI().getRawPath();
    if (path.startsWith("/") && !config.guards(path) && !config.guards(rawPath)) {
      return chain.filter(exchange);
    }
    if (!path.startsWith("/") || config.ambiguous(path) || config.ambiguous(rawPath)) {
      // guarded, but never allowed: refused whatever it carries
      return Replies.send(exchange.getResponse(), Reason.MALFORMED_REQUEST.reply());
    }
    StreamRequest facts = StreamRequest.of(method, request.getURI().getRawQuery(), request.getHeaders()::getFirst);
    return Mono.defer(() -> resumed(auth.decide(facts)))
        .onErrorResume(e -> Mono.empty()) // the core's never fails; another's that does is refused below
        .defaultIfEmpty((Decision) Reason.STORE_UNAVAILABLE::reply)
        .flatMap(decision -> decision.reply() != null
            ? Replies.send(exchange.getResponse(), decision.reply()) // a refusal, or the handshake alone
            : chain.filter(AllowedExchange.of(exchange, (Allowed) decision, SESSION_ATTRIBUTE)));
  }

  private CompletionStage<SsePrincipal> principal(ServerWebExchange exchange, ContextView context) {
    try {
      return resolver.resolve(exchange).contextWrite(context).toFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * {@code stage} as a {@code Mono}; one that completes later (a remote store) resumes on Reactor's
   * parallel scheduler, so that the application never runs on the store client's threads.
   */
  private static <T> Mono<T> resumed(CompletionStage<T> stage) {
    Mono<T> result = Mono.fromCompletionStage(stage);
    return stage.toCompletableFuture().isDone() ? result : result.publishOn(Schedulers.parallel());
  }
}
