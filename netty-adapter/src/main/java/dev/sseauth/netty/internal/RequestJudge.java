package dev.sseauth.netty.internal;

import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Reply;
import dev.sseauth.adapter.StreamRequest;
import dev.sseauth.netty.NettyPrincipalResolver;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Reads a Netty request, asks the core, and says what becomes of it ({@link Exchange}); the core decides
 * every HTTP answer. In order: a request Netty could not decode is refused on every path (its path and
 * headers are not what the client sent); a request to the ticket path (raw path, exact match) is
 * {@linkplain SseAuth#answerTicketRequest answered}; a request to a guarded path is
 * {@linkplain SseAuth#decide judged}; any other passes.
 *
 * <p>Thread-safe and stateless; {@link #judge} is called on the event loop, and the request is not
 * changed or released here.
 */
public final class RequestJudge {
  private static final CompletableFuture<Exchange> PASSED = CompletableFuture.completedFuture(new Exchange.Passed());

  private final SseAuth auth;
  private final SseAuthConfig config;
  private final NettyPrincipalResolver resolver;

  /** @param resolver finds the principal of a ticket request */
  public RequestJudge(SseAuth auth, NettyPrincipalResolver resolver) {
    this.auth = auth;
    this.config = auth.config();
    this.resolver = resolver;
  }

  /**
   * What becomes of {@code request}. The request must stay unchanged and unreleased until the result
   * completes (the resolver may read it until then).
   */
  public CompletionStage<Exchange> judge(HttpRequest request) {
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      Reason reason = cause instanceof TooLongHttpHeaderException ? Reason.HEADERS_TOO_LARGE
          : cause instanceof TooLongHttpLineException ? Reason.URI_TOO_LONG : Reason.MALFORMED_REQUEST;
      return CompletableFuture.completedFuture(answering(request).apply(reason.reply()));
    }
    RequestTarget target = RequestTarget.parse(request.uri());
    String method = request.method().name();
    if (target.path().equals(config.ticketPath())) {
      return auth.answerTicketRequest(method, () -> resolver.resolve(request)).thenApply(answering(request));
    }
    if (!config.guards(target.withoutQuery())) {
      return PASSED;
    }
    if (config.ambiguous(target.withoutQuery())) { // guarded, but never allowed: refused whatever it carries
      return CompletableFuture.completedFuture(answering(request).apply(Reason.MALFORMED_REQUEST.reply()));
    }
    StreamRequest facts = StreamRequest.of(method, target.rawQuery(), request.headers()::get);
    Function<Reply, Exchange> answer = answering(request);
    return auth.decide(facts).thenApply(decision -> {
      if (decision.reply() != null) {
        return answer.apply(decision.reply());
      }
      return new Exchange.Guarded((Allowed) decision, target, request.protocolVersion());
    });
  }

  /** Answers {@code request} with a reply, read now: the request's version and whether its connection stays open. */
  private static Function<Reply, Exchange> answering(HttpRequest request) {
    HttpVersion version = request.protocolVersion();
    // A client waiting for 100-continue will not send the body it announced: the connection is spent.
    boolean reusable = HttpUtil.isKeepAlive(request)
        && (request instanceof LastHttpContent || !HttpUtil.is100ContinueExpected(request));
    return reply -> new Exchange.Answered(reply, version, !reusable || reply.closesConnection());
  }
}
