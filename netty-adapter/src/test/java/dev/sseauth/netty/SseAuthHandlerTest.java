package dev.sseauth.netty;

import dev.sseauth.testing.fixtures.AuthFixture;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.HandshakeMode;
import dev.sseauth.spi.Revocation;
import dev.sseauth.spi.RevocationStatus;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.TicketGrant;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.fixtures.LeakDetectionExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link SseAuthHandler} on an {@link EmbeddedChannel}: decisions, rewriting, keep-alive, buffer release. */
class SseAuthHandlerTest {
  private static final Pattern TOKEN = Pattern.compile("id: ([^_\\n]+)_");
  private static final String APP_STREAM = "id: 1\ndata: one\n\n: comment\r\nid:2\r\ndata: two\r\n\r\nevent: x\rid\rdata: three\r\r";

  private final AuthFixture fx = new AuthFixture();
  private final RecordingApp app = new RecordingApp();
  private final EmbeddedChannel ch = new EmbeddedChannel(new SseAuthHandler(fx.auth), app);

  @AfterEach
  void tearDown() {
    ch.finishAndReleaseAll();
    fx.close();
  }

  private static HttpRequest get(String uri) {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
  }

  private void send(HttpRequest request) {
    ch.writeInbound(request, LastHttpContent.EMPTY_LAST_CONTENT);
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

  /** Everything written outbound so far, as the bytes of the response body; buffers are released. */
  private String drainBody() {
    StringBuilder sb = new StringBuilder();
    Object o;
    while ((o = ch.readOutbound()) != null) {
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

  private static String tokenOf(String handshake) {
    Matcher m = TOKEN.matcher(handshake);
    assertThat(m.find()).as("handshake carries an id").isTrue();
    return m.group(1);
  }

  private static HttpResponse sseHead() {
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 999);
    return r;
  }

  // ---- inbound decisions ----

  @Test
  void channelReadWhenPathNotGuardedThenRequestPassesUntouched() {
    HttpRequest r = get("/other?slt=abc");
    r.headers().set("Last-Event-ID", "7");
    send(r);

    assertThat(app.requests).hasSize(1);
    assertThat(app.requests.get(0).uri()).isEqualTo("/other?slt=abc");
    assertThat(app.requests.get(0).headers().get("Last-Event-ID")).isEqualTo("7");
    assertThat(app.requests.get(0).principal()).isNull();
    assertThat(ch.<Object>readOutbound()).isNull();
  }

  @Test
  void channelReadWhenNoCredentialsThen401WithHeadersAndAppNeverReached() {
    send(get("/events"));

    FullHttpResponse r = readAnswer();
    assertThat(r.status().code()).isEqualTo(401);
    assertThat(r.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo("Bearer");
    assertThat(r.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
    assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("text/plain");
    assertThat(HttpUtil.isKeepAlive(r)).isTrue();
    assertThat(body(r)).isEqualTo("no session token or ticket\n");
    assertThat(app.requests).isEmpty();
    assertThat(app.contents).isZero();
    assertThat(ch.isOpen()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/events?slt=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/events?slt=short", "/feeds/a/b?slt=",
      "/EVENTS/?slt=x", "/x/../events", "/feeds;p=1/x", "http://evil.example/events?q"})
  void channelReadWhenGuardedPathWithoutValidTicketThen401AndAppNeverReached(String uri) {
    send(get(uri));

    FullHttpResponse r = readAnswer();
    assertThat(r.status().code()).isEqualTo(401);
    assertThat(r.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).startsWith("Bearer");
    body(r);
    assertThat(app.requests).isEmpty();
  }

  /** A target the core cannot read unambiguously is refused, never judged: a token must not open it. */
  @ParameterizedTest
  @ValueSource(strings = {"/events%2F", "/api/x%01?slt=x", "/events/%zz", "/../events"})
  void channelReadWhenTargetUnreadableThen400AndAppNeverReached(String uri) {
    send(get(uri));

    FullHttpResponse r = readAnswer();
    assertThat(r.status().code()).isEqualTo(400);
    body(r);
    assertThat(app.requests).isEmpty();
  }

  @Test
  void channelReadWhenTokenForgedThen401InvalidToken() {
    HttpRequest r = get("/events");
    r.headers().set("Last-Event-ID", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl_5");
    send(r);

    FullHttpResponse answer = readAnswer();
    assertThat(answer.status().code()).isEqualTo(401);
    assertThat(answer.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo("Bearer error=\"invalid_token\"");
    body(answer);
    assertThat(app.requests).isEmpty();
  }

  @Test
  void channelReadWhenTicketSpentThen401() {
    String t = fx.ticket("alice");
    send(get("/events?slt=" + t));
    assertThat(app.requests).hasSize(1);

    EmbeddedChannel second = new EmbeddedChannel(new SseAuthHandler(fx.auth), new RecordingApp());
    second.writeInbound(get("/events?slt=" + t), LastHttpContent.EMPTY_LAST_CONTENT);
    second.runPendingTasks();
    FullHttpResponse r = second.readOutbound();
    assertThat(r.status().code()).isEqualTo(401);
    r.release();
    second.finishAndReleaseAll();
  }

  @Test
  void channelReadWhenMethodIsPostThen405WithAllowAndBodyReleased() {
    HttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/events");
    HttpUtil.setTransferEncodingChunked(post, true);
    ByteBuf part1 = Unpooled.copiedBuffer("hello", UTF_8);
    ByteBuf part2 = Unpooled.copiedBuffer("world", UTF_8);
    ch.writeInbound(post, new DefaultHttpContent(part1), new DefaultLastHttpContent(part2));
    ch.runPendingTasks();

    FullHttpResponse r = readAnswer();
    assertThat(r.status().code()).isEqualTo(405);
    assertThat(r.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET");
    body(r);
    assertThat(app.requests).isEmpty();
    assertThat(app.contents).isZero();
    assertThat(part1.refCnt()).isZero();
    assertThat(part2.refCnt()).isZero();
  }

  @Test
  void channelReadWhenTicketRepeatedThen400() {
    send(get("/events?slt=a&slt=b"));
    FullHttpResponse r = readAnswer();
    assertThat(r.status().code()).isEqualTo(400);
    assertThat(r.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isNull();
    body(r);
    assertThat(app.requests).isEmpty();
  }

  @Test
  void channelReadWhenOriginNotAllowedThen403() {
    try (AuthFixture strict = new AuthFixture(b -> b.origins(java.util.Set.of("https://app.example")))) {
      RecordingApp strictApp = new RecordingApp();
      EmbeddedChannel c = new EmbeddedChannel(new SseAuthHandler(strict.auth), strictApp);
      HttpRequest r = get("/events?slt=" + strict.ticket("alice"));
      r.headers().set(HttpHeaderNames.ORIGIN, "https://evil.example");
      c.writeInbound(r, LastHttpContent.EMPTY_LAST_CONTENT);
      c.runPendingTasks();
      FullHttpResponse answer = c.readOutbound();
      assertThat(answer.status().code()).isEqualTo(403);
      answer.release();
      assertThat(strictApp.requests).isEmpty();
      c.finishAndReleaseAll();
    }
  }

  @Test
  void channelReadWhenRequestNotKeepAliveThenAnswerClosesChannel() {
    HttpRequest r = get("/events");
    HttpUtil.setKeepAlive(r, false);
    send(r);
    FullHttpResponse answer = readAnswer();
    assertThat(HttpUtil.isKeepAlive(answer)).isFalse();
    answer.release();
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void channelReadWhenTicketValidThenAppSeesCleanRequestAndAttributes() {
    HttpRequest r = get("/events?x=1&slt=" + fx.ticket("alice") + "&lastEventId=41&y=%20");
    r.headers().set("Last-Event-ID", "");
    send(r);

    assertThat(app.requests).hasSize(1);
    RecordingApp.Seen seen = app.requests.get(0);
    assertThat(seen.uri()).isEqualTo("/events?x=1&y=%20");
    assertThat(seen.headers().get("Last-Event-ID")).isEqualTo("41");
    assertThat(seen.principal().subject()).isEqualTo("alice");
    assertThat(seen.session().principal().subject()).isEqualTo("alice");
    assertThat(ch.<Object>readOutbound()).isNull();
  }

  @Test
  void channelReadWhenTokenReconnectsThenAppSeesOnlyPreviousId() {
    String ticket = fx.ticket("alice");
    send(get("/events?slt=" + ticket));
    app.ctx.writeAndFlush(sseHead());
    String token = tokenOf(drainBody());

    RecordingApp app2 = new RecordingApp();
    EmbeddedChannel c = new EmbeddedChannel(new SseAuthHandler(fx.auth), app2);
    HttpRequest again = get("/events?slt=" + ticket); // an EventSource re-sends its URL
    again.headers().set("Last-Event-ID", token + "_41");
    c.writeInbound(again, LastHttpContent.EMPTY_LAST_CONTENT);
    c.runPendingTasks();

    assertThat(app2.requests).hasSize(1);
    assertThat(app2.requests.get(0).uri()).isEqualTo("/events");
    assertThat(app2.requests.get(0).headers().get("Last-Event-ID")).isEqualTo("41");
    assertThat(app2.requests.get(0).session().sessionId())
        .isEqualTo(app.requests.get(0).session().sessionId());
    c.finishAndReleaseAll();
  }

  @Test
  void channelReadWhenReconnectModeThenHandshakeOnlyAndAppNeverReached() {
    try (AuthFixture rc = new AuthFixture(b -> b.handshakeMode(HandshakeMode.RECONNECT))) {
      RecordingApp rcApp = new RecordingApp();
      EmbeddedChannel c = new EmbeddedChannel(new SseAuthHandler(rc.auth), rcApp);
      c.writeInbound(get("/events?slt=" + rc.ticket("alice")), LastHttpContent.EMPTY_LAST_CONTENT);
      c.runPendingTasks();
      FullHttpResponse r = c.readOutbound();
      assertThat(r.status().code()).isEqualTo(200);
      assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/event-stream");
      assertThat(r.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
      String hs = body(r);
      assertThat(hs).startsWith("retry: 0\nevent: auth\nid: ");
      assertThat(rcApp.requests).isEmpty();
      c.finishAndReleaseAll();
    }
  }

  // ---- outbound rewriting ----

  @Test
  void writeWhenEventStreamThenHeadersHandshakeFirstAndIdsRewritten() {
    send(get("/events?slt=" + fx.ticket("alice")));
    app.ctx.write(sseHead());
    app.ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("id: 1\ndata: a\n\n", UTF_8)));

    HttpResponse head = ch.readOutbound();
    assertThat(head.status().code()).isEqualTo(200);
    assertThat(head.headers().contains(HttpHeaderNames.CONTENT_LENGTH)).isFalse();
    assertThat(HttpUtil.isTransferEncodingChunked(head)).isTrue();
    assertThat(head.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
    String out = drainBody();
    String token = tokenOf(out);
    assertThat(out).matches("(?s)retry: (?:[89]\\d\\d|1[01]\\d\\d|1200)\nevent: auth\nid: " + java.util.regex.Pattern.quote(token)
        + "_\ndata: \\{\"session\":\"valid\"}\n\n.*"); // sseauth.handshake.retry, 1 s, with its 20 % jitter
    assertThat(out).endsWith("id: " + token + "_1\ndata: a\n\n");
  }

  /**
   * Every content message with one event is rewritten into a buffer allocated big enough for it: the
   * buffer never grows (an unpooled heap buffer reallocates its array, and says so in its capacity).
   */
  @Test
  void writeWhenEventsWithIdsThenEachRewrittenIntoBufferSizedUpFront() {
    java.util.Map<ByteBuf, Integer> allocated = new java.util.IdentityHashMap<>();
    ch.config().setAllocator(new io.netty.buffer.AbstractByteBufAllocator(false) {
      @Override
      protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf b = new io.netty.buffer.UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        allocated.put(b, b.capacity());
        return b;
      }

      @Override
      protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return newHeapBuffer(initialCapacity, maxCapacity);
      }

      @Override
      public boolean isDirectBufferPooled() {
        return false;
      }
    });
    send(get("/events?slt=" + fx.ticket("alice")));
    app.ctx.write(sseHead());
    String[] events = {"id: 1\ndata: a\n\n", "event: update\nid: 2\ndata: " + "b".repeat(500) + "\n\n",
        "data: c\nid: 3\n\n", ": heartbeat\n\n", "id: 4\ndata: d\n\n"};
    for (String e : events) {
      ByteBuf in = ByteBufAllocator.DEFAULT.directBuffer().writeBytes(e.getBytes(UTF_8));
      app.ctx.writeAndFlush(new DefaultHttpContent(in));
    }
    int rewritten = 0;
    Object o;
    while ((o = ch.readOutbound()) != null) {
      if (o instanceof ByteBufHolder h && allocated.containsKey(h.content())) {
        rewritten++;
        assertThat(h.content().capacity()).as("capacity of rewritten message %d", rewritten)
            .isEqualTo(allocated.get(h.content()));
      }
      ReferenceCountUtil.release(o);
    }
    assertThat(rewritten).isEqualTo(events.length);
  }

  @Test
  void writeWhenAnyChunkingAndMessageTypeThenSameBytes() {
    Random random = new Random(42);
    String expectedTemplate = "id: T_1\ndata: one\n\n: comment\r\nid: T_2\r\ndata: two\r\n\r\nevent: x\rid: T_\rdata: three\r\r";
    byte[] stream = APP_STREAM.getBytes(UTF_8);
    for (int round = 0; round < 60; round++) {
      RecordingApp a = new RecordingApp();
      EmbeddedChannel c = new EmbeddedChannel(new SseAuthHandler(fx.auth), a);
      c.writeInbound(get("/events?slt=" + fx.ticket("u" + round)), LastHttpContent.EMPTY_LAST_CONTENT);
      c.runPendingTasks();
      a.ctx.write(sseHead());
      List<ByteBuf> inputs = new ArrayList<>();
      int pos = 0;
      while (pos < stream.length) {
        int n = Math.min(stream.length - pos, random.nextInt(6));
        ByteBuf b = buffer(random, stream, pos, n);
        inputs.add(b);
        switch (random.nextInt(3)) {
          case 0 -> a.ctx.write(new DefaultHttpContent(b));
          case 1 -> a.ctx.write(b);
          default -> a.ctx.writeAndFlush(b);
        }
        pos += n;
      }
      ByteBuf tail = Unpooled.EMPTY_BUFFER;
      a.ctx.writeAndFlush(new DefaultLastHttpContent(tail));

      List<Object> out = new ArrayList<>();
      Object o;
      while ((o = c.readOutbound()) != null) {
        out.add(o);
      }
      assertThat(out.get(0)).isInstanceOf(HttpResponse.class);
      assertThat(out.get(out.size() - 1)).isInstanceOf(LastHttpContent.class);
      StringBuilder sb = new StringBuilder();
      for (Object m : out) {
        ByteBuf b = m instanceof ByteBufHolder h ? h.content() : m instanceof ByteBuf bb ? bb : null;
        if (b != null) {
          sb.append(b.toString(UTF_8));
        }
        if (m instanceof ReferenceCounted rc) {
          rc.release();
        }
      }
      String all = sb.toString();
      String token = tokenOf(all);
      String handshakeEnd = "data: {\"session\":\"valid\"}\n\n";
      String appPart = all.substring(all.indexOf(handshakeEnd) + handshakeEnd.length());
      assertThat(appPart).as("round %d", round).isEqualTo(expectedTemplate.replace("T_", token + "_"));
      for (ByteBuf b : inputs) {
        if (b instanceof io.netty.buffer.EmptyByteBuf) {
          continue; // Unpooled's shared empty buffer is never freed
        }
        assertThat(b.refCnt()).as("input buffer released once").isZero();
      }
      c.finishAndReleaseAll();
    }
  }

  private static ByteBuf buffer(Random random, byte[] src, int off, int len) {
    switch (random.nextInt(4)) {
      case 0:
        return Unpooled.copiedBuffer(src, off, len);
      case 1: {
        ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(len + 4);
        b.writeZero(2).readerIndex(2);
        return b.writeBytes(src, off, len);
      }
      case 2: {
        CompositeByteBuf comp = ByteBufAllocator.DEFAULT.compositeBuffer();
        int half = len / 2;
        comp.addComponent(true, Unpooled.copiedBuffer(src, off, half));
        comp.addComponent(true, ByteBufAllocator.DEFAULT.directBuffer().writeBytes(src, off + half, len - half));
        return comp;
      }
      default:
        return ByteBufAllocator.DEFAULT.heapBuffer(len).writeBytes(src, off, len);
    }
  }

  @Test
  void writeWhenFullHttpResponseEventStreamThenRewrittenAsHeadHandshakeAndLast() {
    send(get("/events?slt=" + fx.ticket("alice")));
    ByteBuf content = Unpooled.copiedBuffer("id: 9\ndata: z\n\n", UTF_8);
    FullHttpResponse full = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
    full.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
    HttpUtil.setContentLength(full, content.readableBytes());
    app.ctx.writeAndFlush(full);

    Object head = ch.readOutbound();
    assertThat(head).isInstanceOf(HttpResponse.class).isNotInstanceOf(FullHttpResponse.class);
    assertThat(((HttpResponse) head).headers().contains(HttpHeaderNames.CONTENT_LENGTH)).isFalse();
    String out = drainBody();
    assertThat(out).endsWith("id: " + tokenOf(out) + "_9\ndata: z\n\n");
    assertThat(content.refCnt()).isZero();
  }

  @Test
  void writeWhenResponseIsNotEventStreamThenPassesUntouched() {
    send(get("/events?slt=" + fx.ticket("alice")));
    FullHttpResponse json = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.copiedBuffer("{\"id: 1\":1}", UTF_8));
    json.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    app.ctx.writeAndFlush(json);

    Object out = ch.readOutbound();
    assertThat(out).isSameAs(json);
    assertThat(json.refCnt()).isEqualTo(1);
    json.release();
    assertThat(ch.<Object>readOutbound()).isNull();
  }

  @Test
  void writeWhenEventStreamStatusNot200ThenPassesUntouched() {
    send(get("/events?slt=" + fx.ticket("alice")));
    HttpResponse head = sseHead();
    head.setStatus(HttpResponseStatus.NO_CONTENT);
    app.ctx.writeAndFlush(head);
    assertThat(ch.<Object>readOutbound()).isSameAs(head);
    assertThat(ch.<Object>readOutbound()).isNull();
  }

  @Test
  void writeWhenUnguardedEventStreamThenPassesUntouched() {
    send(get("/other"));
    HttpResponse head = sseHead();
    ByteBuf b = Unpooled.copiedBuffer("id: 1\n\n", UTF_8);
    HttpContent c = new DefaultHttpContent(b);
    app.ctx.write(head);
    app.ctx.writeAndFlush(c);
    assertThat(ch.<Object>readOutbound()).isSameAs(head);
    assertThat(ch.<Object>readOutbound()).isSameAs(c);
    c.release();
  }

  // ---- keep-alive and pipelining ----

  @Test
  void channelReadWhenPipelinedRequestsThenAnswersKeepResponseOrder() {
    ch.writeInbound(get("/a"), LastHttpContent.EMPTY_LAST_CONTENT, get("/events"), LastHttpContent.EMPTY_LAST_CONTENT,
        get("/b"), LastHttpContent.EMPTY_LAST_CONTENT);
    ch.runPendingTasks();
    assertThat(app.uris()).containsExactly("/a", "/b");
    assertThat(ch.<Object>readOutbound()).as("the 401 waits for the response to /a").isNull();

    app.ctx.writeAndFlush(text("A"));
    app.ctx.writeAndFlush(text("B"));

    assertThat(body(readAnswer())).isEqualTo("A");
    FullHttpResponse refused = readAnswer();
    assertThat(refused.status().code()).isEqualTo(401);
    body(refused);
    assertThat(body(readAnswer())).isEqualTo("B");
  }

  @Test
  void channelReadWhenKeepAliveCarriesSeveralStreamsThenStateResetsPerRequest() {
    send(get("/events?slt=" + fx.ticket("alice")));
    app.ctx.write(sseHead());
    app.ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.copiedBuffer("id: 1\ndata: a\n\n", UTF_8)));
    String first = drainBody();
    String t1 = tokenOf(first);
    assertThat(first).endsWith("id: " + t1 + "_1\ndata: a\n\n");

    send(get("/other"));
    assertThat(app.requests.get(1).principal()).isNull();
    HttpResponse plainSse = sseHead();
    app.ctx.write(plainSse);
    HttpContent untouched = new DefaultLastHttpContent(Unpooled.copiedBuffer("id: 2\n\n", UTF_8));
    app.ctx.writeAndFlush(untouched);
    assertThat(ch.<Object>readOutbound()).isSameAs(plainSse);
    assertThat(ch.<Object>readOutbound()).isSameAs(untouched);
    untouched.release();

    send(get("/events?slt=" + fx.ticket("bob")));
    assertThat(app.requests.get(2).principal().subject()).isEqualTo("bob");
    app.ctx.write(sseHead());
    app.ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.copiedBuffer("id: 3\ndata: c\n\n", UTF_8)));
    String third = drainBody();
    String t3 = tokenOf(third);
    assertThat(t3).isNotEqualTo(t1);
    assertThat(third).endsWith("id: " + t3 + "_3\ndata: c\n\n");
  }

  private static FullHttpResponse text(String s) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.copiedBuffer(s, UTF_8));
    HttpUtil.setContentLength(r, s.length());
    return r;
  }

  // ---- pending decisions, store failure, release ----

  /**
   * A store that issues tickets but never answers a take: every ticket decision waits on it. (Issuing
   * reads the subject's revocations first, so those are answered: nothing is revoked.)
   */
  private static final class SilentStore implements SseAuthStore {
    @Override
    public CompletionStage<Boolean> putTicket(String ticketHash, TicketGrant grant, int maxPerSubject) {
      return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletionStage<Optional<TicketGrant>> takeTicket(String ticketHash) {
      return new CompletableFuture<>();
    }

    @Override
    public CompletionStage<Void> revoke(Revocation revocation) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<RevocationStatus> revocationStatus(String sessionId, String subject) {
      // answers only for issuing tickets (no session yet), so that a ticket can be had
      return sessionId.isEmpty() ? CompletableFuture.completedFuture(RevocationStatus.NONE) : new CompletableFuture<>();
    }

    @Override
    public AutoCloseable subscribe(dev.sseauth.spi.RevocationListener listener) {
      return () -> {};
    }

    @Override
    public String deploymentId() {
      return "silent";
    }

    @Override
    public void close() {}
  }

  private static AuthFixture silent(Duration timeout) {
    return new AuthFixture(b -> b.store(new SilentStore()).storeTimeout(timeout));
  }

  @Test
  void channelReadWhenStoreNeverAnswersThen503AndLaterMessagesHeldInOrder() {
    try (AuthFixture s = silent(Duration.ofMillis(100))) {
      RecordingApp a = new RecordingApp();
      EmbeddedChannel c = new EmbeddedChannel(new SseAuthHandler(s.auth), a);
      c.writeInbound(get("/events?slt=" + s.ticket("alice")), LastHttpContent.EMPTY_LAST_CONTENT,
          get("/after"), LastHttpContent.EMPTY_LAST_CONTENT);
      assertThat(c.config().isAutoRead()).as("reading paused while judging").isFalse();
      assertThat(a.requests).as("held behind the pending decision").isEmpty();

      Await.until(Duration.ofSeconds(5), "the store timeout refuses the request", () -> {
        c.runPendingTasks();
        return !a.requests.isEmpty();
      });
      FullHttpResponse r = c.readOutbound();
      assertThat(r.status().code()).isEqualTo(503);
      r.release();
      assertThat(a.uris()).containsExactly("/after");
      assertThat(c.config().isAutoRead()).isTrue();
      c.finishAndReleaseAll();
    }
  }

  @Test
  void channelInactiveWhenDecisionPendingThenHeldBuffersReleased() {
    try (AuthFixture s = silent(Duration.ofMillis(100))) {
      RecordingApp a = new RecordingApp();
      EmbeddedChannel c = new EmbeddedChannel(new SseAuthHandler(s.auth), a);
      HttpRequest post = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/events?slt=" + s.ticket("a"));
      ByteBuf held1 = Unpooled.copiedBuffer("held", UTF_8);
      ByteBuf held2 = ByteBufAllocator.DEFAULT.directBuffer().writeBytes("held too".getBytes(UTF_8));
      c.writeInbound(post, new DefaultHttpContent(held1), new DefaultLastHttpContent(held2));
      assertThat(held1.refCnt()).isEqualTo(1);

      c.close();
      assertThat(held1.refCnt()).isZero();
      assertThat(held2.refCnt()).isZero();
      Await.until(Duration.ofSeconds(5), "the late decision is discarded", () -> {
        c.runPendingTasks();
        return !c.hasPendingTasks();
      });
      assertThat(a.requests).isEmpty();
      c.finishAndReleaseAll();
    }
  }

  // ---- live stream: rotation, revocation, expiry ----

  @Test
  void liveStreamWhenRevokedThenLastContentWrittenAndChannelClosed() {
    send(get("/events?slt=" + fx.ticket("alice")));
    app.ctx.writeAndFlush(sseHead());
    drainBody();
    fx.auth.revokeSession(app.requests.get(0).session().sessionId()).toCompletableFuture().join();

    Await.until(Duration.ofSeconds(5), "the stream ends", () -> {
      ch.runPendingTasks();
      return !ch.isOpen();
    });
    Object last = ch.readOutbound();
    assertThat(last).isInstanceOf(LastHttpContent.class);
    // the application's writes after the end are released, never sent
    ByteBuf late = Unpooled.copiedBuffer("data: late\n\n", UTF_8);
    app.ctx.writeAndFlush(new DefaultHttpContent(late));
    assertThat(late.refCnt()).isZero();
  }

  @Test
  void liveStreamWhenRotationDueThenSilentEventWithNewTokenAndLastAppId() {
    send(get("/events?slt=" + fx.ticket("alice")));
    app.ctx.write(sseHead());
    app.ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("id: 5\ndata: a\n\n", UTF_8)));
    String t1 = tokenOf(drainBody());

    fx.clock.advance(fx.auth.config().tokenRotateAfter().plusSeconds(1));
    StringBuilder out = new StringBuilder();
    Await.until(Duration.ofSeconds(5), "a rotation event", () -> {
      ch.runPendingTasks();
      out.append(drainBody());
      return out.indexOf("event: sseauth-rotate") >= 0;
    });
    Matcher m = Pattern.compile("event: sseauth-rotate\nid: ([^_\\n]+)_5\ndata:\n\n").matcher(out);
    assertThat(m.find()).as(out.toString()).isTrue();
    assertThat(m.group(1)).isNotEqualTo(t1);
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void liveStreamWhenTokenExpiresThenStreamEnds() {
    send(get("/events?slt=" + fx.ticket("alice")));
    app.ctx.writeAndFlush(sseHead());
    drainBody();
    fx.clock.advance(fx.auth.config().tokenTtl().plusSeconds(1));
    Await.until(Duration.ofSeconds(5), "the stream ends", () -> {
      ch.runPendingTasks();
      return !ch.isOpen();
    });
    assertThat(drainBody()).doesNotContain("data:");
  }

  @Test
  void handlerRemovedWhenStreamingThenLiveStreamClosed() {
    send(get("/events?slt=" + fx.ticket("alice")));
    app.ctx.writeAndFlush(sseHead());
    drainBody();
    assertThat(fx.auth.liveStreams()).isEqualTo(1);
    ch.pipeline().remove(SseAuthHandler.class);
    assertThat(fx.auth.liveStreams()).isZero();
  }

  @Test
  void leakCheckWhenBufferLeakedThenItIsReported() {
    ByteBuf leaked = ByteBufAllocator.DEFAULT.buffer(8).writeLong(1);
    assertThat(leaked.refCnt()).isEqualTo(1);
    leaked = null; // dropped without release
    List<String> leaks = List.of();
    for (int i = 0; i < 20 && leaks.isEmpty(); i++) {
      leaks = LeakDetectionExtension.collectLeaks();
    }
    assertThat(leaks).as("the leak detector sees a dropped buffer").isNotEmpty();
  }
}
