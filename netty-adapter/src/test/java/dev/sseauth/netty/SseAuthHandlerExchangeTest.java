package dev.sseauth.netty;

import dev.sseauth.testing.fixtures.AuthFixture;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.Reply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCounted;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one {@link SseAuthHandler} on an {@link EmbeddedChannel} serving tickets and streams side by side:
 * every answer is exactly the core's {@link Reply}, answers keep request order, decoder failures close
 * the connection, and responses that are not guarded streams pass untouched. Netty's leak detection is
 * on for every test of this module ({@code LeakDetectionExtension}, auto-detected, PARANOID).
 */
class SseAuthHandlerExchangeTest {
  private final AuthFixture fx = new AuthFixture();
  private RecordingApp app = new RecordingApp();
  private EmbeddedChannel ch = new EmbeddedChannel(new SseAuthHandler(fx.auth), app);

  @AfterEach
  void tearDown() {
    ch.finishAndReleaseAll();
    fx.close();
  }

  /** Replaces the channel with one on {@code handler} and a new application. */
  private void use(SseAuthHandler handler) {
    ch.finishAndReleaseAll();
    app = new RecordingApp();
    ch = new EmbeddedChannel(handler, app);
  }

  private static HttpRequest request(HttpMethod method, String uri) {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
  }

  private void send(HttpRequest... requests) {
    for (HttpRequest r : requests) {
      ch.writeInbound(r, LastHttpContent.EMPTY_LAST_CONTENT);
    }
    ch.runPendingTasks();
  }

  private FullHttpResponse readAnswer() {
    Object o = ch.readOutbound();
    assertThat(o).isInstanceOf(FullHttpResponse.class);
    return (FullHttpResponse) o;
  }

  private static String body(FullHttpResponse r) {
    try {
      return r.content().toString(UTF_8);
    } finally {
      r.release();
    }
  }

  /** Asserts that {@code r} is {@code expected}: its status, each of its headers and its body; releases r. */
  private static void assertRenders(FullHttpResponse r, Reply expected) {
    try {
      assertThat(r.status().code()).isEqualTo(expected.status());
      for (Reply.Header h : expected.headers()) {
        assertThat(r.headers().getAll(h.name())).as(h.name()).containsExactly(h.value());
      }
      assertThat(ByteBufUtil.getBytes(r.content())).isEqualTo(expected.body());
    } finally {
      r.release();
    }
  }

  private static FullHttpResponse text(String s) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.copiedBuffer(s, UTF_8));
    HttpUtil.setContentLength(r, s.length());
    return r;
  }

  // ---- the ticket path ----

  @Test
  void ticketPathWhenPostWithBearerThenTicketJsonWithTheCoresHeaders() {
    HttpRequest post = request(HttpMethod.POST, "/sse/ticket");
    post.headers().set(HttpHeaderNames.AUTHORIZATION, fx.bearer("alice"));
    send(post);

    FullHttpResponse r = readAnswer();
    assertThat(r.status().code()).isEqualTo(200);
    assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
    assertThat(r.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
    assertThat(HttpUtil.getContentLength(r)).isEqualTo(r.content().readableBytes());
    assertThat(HttpUtil.isKeepAlive(r)).isTrue();
    assertThat(body(r)).matches("\\{\"ticket\":\"[A-Za-z0-9_-]+\",\"expiresIn\":30,.*}");
    assertThat(app.requests).isEmpty();
    assertThat(ch.isOpen()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "PUT", "DELETE"})
  void ticketPathWhenNotPostThen405AllowPostWithTheCoresText(String method) {
    HttpRequest r = request(HttpMethod.valueOf(method), "/sse/ticket");
    r.headers().set(HttpHeaderNames.AUTHORIZATION, fx.bearer("alice"));
    send(r);

    FullHttpResponse answer = readAnswer();
    assertThat(answer.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("POST");
    assertThat(answer.content().toString(UTF_8)).isEqualTo("only POST is allowed on the ticket endpoint\n");
    assertRenders(answer, Reason.TICKET_METHOD_NOT_ALLOWED.reply());
    assertThat(app.requests).isEmpty();
  }

  @Test
  void ticketPathWhenNoPrincipalThen401NotAuthenticated() {
    send(request(HttpMethod.POST, "/sse/ticket"));

    FullHttpResponse r = readAnswer();
    assertThat(r.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo("Bearer");
    assertRenders(r, Reason.NOT_AUTHENTICATED.reply());
    assertThat(app.requests).isEmpty();
  }

  @Test
  void ticketPathWhenResolverGivenThenItsPrincipalGetsTheTicket() {
    use(new SseAuthHandler(fx.auth, r -> CompletableFuture.completedFuture(SsePrincipal.of("carol"))));
    send(request(HttpMethod.POST, "/sse/ticket"));
    String json = body(readAnswer());
    String ticket = json.substring(json.indexOf(":\"") + 2, json.indexOf("\","));

    send(request(HttpMethod.GET, "/events?slt=" + ticket));
    assertThat(app.requests).hasSize(1);
    assertThat(app.requests.get(0).principal().subject()).isEqualTo("carol");
  }

  // ---- a guarded stream refused ----

  @Test
  void guardedStreamWhenNoCredentialsThenExactlyTheCoresReply() {
    send(request(HttpMethod.GET, "/events"));
    assertRenders(readAnswer(), Reason.NO_CREDENTIALS.reply());
    assertThat(app.requests).isEmpty();
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void guardedStreamWhenPostWithBodyThenCoresReplyAndBodyReleased() {
    HttpRequest post = request(HttpMethod.POST, "/feeds/a");
    HttpUtil.setTransferEncodingChunked(post, true);
    ByteBuf part1 = Unpooled.copiedBuffer("hello", UTF_8);
    ByteBuf part2 = Unpooled.copiedBuffer("world", UTF_8);
    ch.writeInbound(post, new DefaultHttpContent(part1), new DefaultLastHttpContent(part2));
    ch.runPendingTasks();

    assertRenders(readAnswer(), Reason.METHOD_NOT_ALLOWED.reply());
    assertThat(part1.refCnt()).isZero();
    assertThat(part2.refCnt()).isZero();
    assertThat(app.requests).isEmpty();
    assertThat(app.contents).isZero();
  }

  // ---- order ----

  @Test
  void pipelinedTicketAndStreamRequestsThenAnsweredInRequestOrder() {
    CompletableFuture<SsePrincipal> lookup = new CompletableFuture<>();
    use(new SseAuthHandler(fx.auth, r -> lookup));
    String ticket = fx.ticket("alice");
    ch.writeInbound(request(HttpMethod.POST, "/sse/ticket"), LastHttpContent.EMPTY_LAST_CONTENT,
        request(HttpMethod.GET, "/events?slt=" + ticket), LastHttpContent.EMPTY_LAST_CONTENT,
        request(HttpMethod.GET, "/events"), LastHttpContent.EMPTY_LAST_CONTENT,
        request(HttpMethod.GET, "/open"), LastHttpContent.EMPTY_LAST_CONTENT,
        request(HttpMethod.PUT, "/sse/ticket"), LastHttpContent.EMPTY_LAST_CONTENT);
    ch.runPendingTasks();
    assertThat(ch.config().isAutoRead()).as("reading paused while the ticket request is judged").isFalse();
    assertThat(app.requests).as("held behind the pending ticket request").isEmpty();
    assertThat(ch.<Object>readOutbound()).isNull();

    lookup.complete(SsePrincipal.of("bob"));
    ch.runPendingTasks();
    assertThat(ch.config().isAutoRead()).isTrue();
    assertThat(app.uris()).containsExactly("/events", "/open");
    assertThat(app.requests.get(0).principal().subject()).isEqualTo("alice");
    assertThat(app.requests.get(1).principal()).isNull();
    FullHttpResponse issued = readAnswer();
    assertThat(issued.status().code()).isEqualTo(200);
    assertThat(body(issued)).startsWith("{\"ticket\":");
    assertThat(ch.<Object>readOutbound()).as("the 401 waits for the response to the allowed stream").isNull();

    app.ctx.writeAndFlush(text("stream"));
    assertThat(body(readAnswer())).isEqualTo("stream");
    assertRenders(readAnswer(), Reason.NO_CREDENTIALS.reply());
    assertThat(ch.<Object>readOutbound()).as("the 405 waits for the response to /open").isNull();

    app.ctx.writeAndFlush(text("open"));
    assertThat(body(readAnswer())).isEqualTo("open");
    assertRenders(readAnswer(), Reason.TICKET_METHOD_NOT_ALLOWED.reply());
    assertThat(ch.<Object>readOutbound()).isNull();
  }

  // ---- decoder failures ----

  static Stream<Arguments> decoderFailures() {
    return Stream.of(
        Arguments.of(new TooLongHttpHeaderException("too long"), Reason.HEADERS_TOO_LARGE),
        Arguments.of(new TooLongHttpLineException("too long"), Reason.URI_TOO_LONG),
        Arguments.of(new IllegalArgumentException("bad"), Reason.MALFORMED_REQUEST));
  }

  @ParameterizedTest
  @MethodSource("decoderFailures")
  void decoderFailureOnAnyPathThenCoresReplyWithConnectionCloseAndChannelClosed(Exception cause, Reason reason) {
    for (String uri : new String[] {"/open", "/events?slt=" + fx.ticket("alice"), "/sse/ticket"}) {
      RecordingApp a = new RecordingApp();
      EmbeddedChannel c = new EmbeddedChannel(new SseAuthHandler(fx.auth), a);
      FullHttpRequest bad = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
      bad.headers().set(HttpHeaderNames.AUTHORIZATION, fx.bearer("alice"));
      bad.setDecoderResult(DecoderResult.failure(cause));
      c.writeInbound(bad);
      c.runPendingTasks();

      FullHttpResponse r = c.readOutbound();
      assertThat(r.headers().get(HttpHeaderNames.CONNECTION)).as(uri).isEqualTo("close");
      assertRenders(r, reason.reply());
      assertThat(bad.refCnt()).isZero();
      assertThat(c.isOpen()).as(uri).isFalse();
      assertThat(a.requests).as(uri).isEmpty();
      c.finishAndReleaseAll();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"431 header", "414 line", "400 malformed"})
  void decoderFailureFromNettysCodecThenStatusOnTheWireAndConnectionClosed(String which) {
    RecordingApp a = new RecordingApp();
    EmbeddedChannel c = new EmbeddedChannel(new HttpServerCodec(), new SseAuthHandler(fx.auth), a);
    String raw = switch (which.substring(4)) {
      case "header" -> "GET /open HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n";
      case "line" -> "GET /open?" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
      default -> "GET /open HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n";
    };
    c.writeInbound(Unpooled.copiedBuffer(raw, UTF_8));
    c.runPendingTasks();

    String wire = drain(c);
    String status = which.substring(0, 3);
    assertThat(wire).matches("(?s)HTTP/1\\.[01] " + status + " .*");
    assertThat(wire.toLowerCase(Locale.ROOT)).contains("\r\nconnection: close\r\n");
    assertThat(c.isOpen()).isFalse();
    assertThat(a.requests).isEmpty();
    c.finishAndReleaseAll();
  }

  // ---- responses that are not guarded streams ----

  @Test
  void eventStreamWhen204ThenPassesUntouchedWithoutHandshake() {
    send(request(HttpMethod.GET, "/events?slt=" + fx.ticket("alice")));
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
    app.ctx.write(head);
    app.ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);

    assertThat(ch.<Object>readOutbound()).isSameAs(head);
    assertThat(ch.<Object>readOutbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(ch.<Object>readOutbound()).isNull();
    assertThat(head.headers().contains(HttpHeaderNames.CACHE_CONTROL)).isFalse();
  }

  @Test
  void eventStreamWhen500ThenPassesUntouchedWithoutHandshakeAndNextStreamIsGuarded() {
    send(request(HttpMethod.GET, "/events?slt=" + fx.ticket("alice")));
    ByteBuf content = Unpooled.copiedBuffer("id: 1\ndata: oops\n\n", UTF_8);
    FullHttpResponse error = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.INTERNAL_SERVER_ERROR, content);
    error.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
    HttpUtil.setContentLength(error, content.readableBytes());
    app.ctx.writeAndFlush(error);

    assertThat(ch.<Object>readOutbound()).isSameAs(error);
    assertThat(ch.<Object>readOutbound()).isNull();
    assertThat(error.refCnt()).isEqualTo(1);
    assertThat(body(error)).isEqualTo("id: 1\ndata: oops\n\n");

    send(request(HttpMethod.GET, "/events?slt=" + fx.ticket("bob")));
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
    app.ctx.writeAndFlush(head);
    assertThat(ch.<Object>readOutbound()).isSameAs(head);
    assertThat(drain()).startsWith("retry: ");
  }

  // ---- HTTP/1.0 and failures ----

  @Test
  void eventStreamWhenHttp10ThenCloseDelimitedAndChannelClosedAtItsEnd() {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/events?slt=" + fx.ticket("alice"));
    send(r);
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_0, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
    head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 5);
    app.ctx.write(head);
    app.ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.copiedBuffer("id: 1\ndata: a\n\n", UTF_8)));

    HttpResponse out = ch.readOutbound();
    assertThat(HttpUtil.isTransferEncodingChunked(out)).isFalse();
    assertThat(out.headers().contains(HttpHeaderNames.CONTENT_LENGTH)).isFalse();
    assertThat(HttpUtil.isKeepAlive(out)).isFalse();
    assertThat(drain()).contains("_1\ndata: a\n\n");
    assertThat(ch.isOpen()).as("the end of the stream is the end of the connection").isFalse();
  }

  @Test
  void eventStreamWhenHttp10RequestAnsweredWithAnHttp11HeadThenStillCloseDelimited() {
    send(new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/events?slt=" + fx.ticket("alice")));
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
    app.ctx.write(head);
    app.ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.copiedBuffer("id: 1\ndata: a\n\n", UTF_8)));

    HttpResponse out = ch.readOutbound();
    assertThat(HttpUtil.isTransferEncodingChunked(out)).as("an HTTP/1.0 client cannot read chunks").isFalse();
    assertThat(HttpUtil.isKeepAlive(out)).isFalse();
    assertThat(drain()).contains("_1\ndata: a\n\n");
    assertThat(ch.isOpen()).as("the end of the stream is the end of the connection").isFalse();
  }

  @Test
  void eventStreamWhenHttp10OverNettysCodecThenWholeStreamSentThenConnectionClosed() {
    RecordingApp a = new RecordingApp();
    EmbeddedChannel c = new EmbeddedChannel(new HttpServerCodec(), new SseAuthHandler(fx.auth), a);
    c.writeInbound(Unpooled.copiedBuffer("GET /events?slt=" + fx.ticket("alice") + " HTTP/1.0\r\n\r\n", UTF_8));
    c.runPendingTasks();
    assertThat(a.uris()).containsExactly("/events");
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_0, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
    a.ctx.write(head);
    a.ctx.write(new DefaultLastHttpContent(Unpooled.copiedBuffer("id: 1\ndata: a\n\n", UTF_8)));
    a.ctx.flush();

    String wire = drain(c);
    assertThat(wire).startsWith("HTTP/1.0 200 OK\r\n").contains("\r\n\r\nretry: ").endsWith("_1\ndata: a\n\n");
    assertThat(wire.toLowerCase(Locale.ROOT)).doesNotContain("transfer-encoding").doesNotContain("content-length");
    assertThat(c.isOpen()).isFalse();
    c.finishAndReleaseAll();
  }

  @Test
  void judgementWhenItFailsThenNothingSentForItAndConnectionClosedInItsTurn() {
    SseAuth failing = (SseAuth) Proxy.newProxyInstance(SseAuth.class.getClassLoader(), new Class<?>[] {SseAuth.class},
        (proxy, method, args) -> {
          if (method.getName().equals("decide")) {
            return CompletableFuture.failedFuture(new IllegalStateException("bug"));
          }
          try {
            return method.invoke(fx.auth, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    use(new SseAuthHandler(failing));
    ByteBuf body = Unpooled.copiedBuffer("x", UTF_8);
    ch.writeInbound(request(HttpMethod.GET, "/open"), LastHttpContent.EMPTY_LAST_CONTENT,
        request(HttpMethod.GET, "/events"), new DefaultLastHttpContent(body));
    ch.runPendingTasks();
    assertThat(app.uris()).containsExactly("/open");
    assertThat(body.refCnt()).isZero();
    assertThat(ch.isOpen()).as("the response to /open goes first").isTrue();

    app.ctx.writeAndFlush(text("open"));
    assertThat(body(readAnswer())).isEqualTo("open");
    assertThat(drain()).isEmpty();
    assertThat(ch.isOpen()).isFalse();
  }

  private String drain() {
    return drain(ch);
  }

  /** Everything written outbound on {@code c} so far, as text; buffers are released. */
  private static String drain(EmbeddedChannel c) {
    StringBuilder sb = new StringBuilder();
    Object o;
    while ((o = c.readOutbound()) != null) {
      ByteBuf b = o instanceof ByteBufHolder h ? h.content() : o instanceof ByteBuf bb ? bb : null;
      if (b != null) {
        sb.append(b.toString(UTF_8));
      }
      if (o instanceof ReferenceCounted rc) {
        rc.release();
      }
    }
    return sb.toString();
  }
}
