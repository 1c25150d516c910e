package dev.sseauth.netty.internal;

import dev.sseauth.adapter.Reply;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** Renders the core's {@link Reply} as a Netty response: the one place an answer of the handler is built. */
public final class Replies {
  private Replies() {}

  /**
   * {@code reply}'s status, every one of its headers and its body, in {@code version}. Keep-alive is
   * transport: unless the reply closes the connection itself, the response says whether the connection
   * stays open ({@code closeAfter}), the way {@code version} spells it.
   *
   * @return a new response holding a new buffer, which the caller writes or releases
   */
  public static FullHttpResponse render(Reply reply, HttpVersion version, boolean closeAfter) {
    FullHttpResponse r = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(reply.status()),
        Unpooled.wrappedBuffer(reply.body()));
    for (Reply.Header h : reply.headers()) {
      r.headers().add(h.name(), h.value());
    }
    if (!reply.closesConnection()) {
      HttpUtil.setKeepAlive(r, !closeAfter);
    }
    return r;
  }
}
