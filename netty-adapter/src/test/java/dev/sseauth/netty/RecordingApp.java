package dev.sseauth.netty;

import dev.sseauth.SessionInfo;
import dev.sseauth.SsePrincipal;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/** The application behind the handler in unit tests: records what reaches it and releases it. */
final class RecordingApp extends ChannelInboundHandlerAdapter {
  record Seen(String method, String uri, HttpHeaders headers, SsePrincipal principal, SessionInfo session) {}

  final List<Seen> requests = new ArrayList<>();
  int contents;
  ChannelHandlerContext ctx;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest r) {
      requests.add(new Seen(r.method().name(), r.uri(), r.headers().copy(),
          ctx.channel().attr(SseAuthHandler.PRINCIPAL).get(), ctx.channel().attr(SseAuthHandler.SESSION).get()));
    }
    if (msg instanceof HttpContent) {
      contents++;
    }
    ReferenceCountUtil.release(msg);
  }

  List<String> uris() {
    return requests.stream().map(Seen::uri).toList();
  }
}
