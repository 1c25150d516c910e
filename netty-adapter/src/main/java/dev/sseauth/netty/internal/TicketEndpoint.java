package dev.sseauth.netty.internal;

import dev.sseauth.Denied;
import dev.sseauth.IssuedTicket;
import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.TicketOutcome;
import dev.sseauth.netty.NettyPrincipalResolver;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The logic of {@code SseAuthTicketHandler} for one channel: answers {@code POST <ticketPath>} with a
 * ticket for the resolved principal; every other request passes. The request body is never read (the
 * principal comes from the request line and headers) and is released. Event-loop confined.
 */
public final class TicketEndpoint extends ExchangeSequencer {
  private final SseAuth auth;
  private final NettyPrincipalResolver resolver;

  public TicketEndpoint(SseAuth auth, NettyPrincipalResolver resolver) {
    this.auth = auth;
    this.resolver = resolver;
  }

  @Override
  protected CompletionStage<Outcome> judge(ChannelHandlerContext ctx, HttpRequest request) {
    if (!RequestTarget.parse(request.uri()).path().equals(auth.config().ticketPath())) {
      return null;
    }
    HttpVersion version = request.protocolVersion();
    if (!HttpMethod.POST.equals(request.method())) {
      FullHttpResponse r = plain(version, HttpResponseStatus.METHOD_NOT_ALLOWED, "use POST to obtain a ticket");
      r.headers().set(HttpHeaderNames.ALLOW, HttpMethod.POST.name());
      return CompletableFuture.completedFuture(new Answer(r));
    }
    return resolver.resolve(request)
        .thenCompose(principal -> principal == null
            ? CompletableFuture.<TicketOutcome>completedFuture(new Denied(Reason.NOT_AUTHENTICATED))
            : auth.issueTicket(principal))
        .thenApply(outcome -> new Answer(render(version, outcome)));
  }

  private static FullHttpResponse render(HttpVersion version, TicketOutcome outcome) {
    if (outcome instanceof IssuedTicket ticket) {
      return full(version, HttpResponseStatus.OK, HttpHeaderValues.APPLICATION_JSON.toString(),
          ticket.toJson().getBytes(StandardCharsets.UTF_8));
    }
    return StreamGuard.refusal(version, (Denied) outcome);
  }
}
