package dev.sseauth.netty;

import dev.sseauth.testing.fixtures.AuthFixture;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ticket endpoint of {@link SseAuthHandler} on an {@link EmbeddedChannel}. */
class SseAuthHandlerTicketTest {
  private final AuthFixture fx = new AuthFixture();
  private final RecordingApp app = new RecordingApp();
  private final EmbeddedChannel ch = new EmbeddedChannel(new SseAuthHandler(fx.auth), app);

  @AfterEach
  void tearDown() {
    ch.finishAndReleaseAll();
    fx.close();
  }

  private static HttpRequest request(HttpMethod method, String uri, String authorization) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    if (authorization != null) {
      r.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
    }
    return r;
  }

  private FullHttpResponse exchange(EmbeddedChannel c, HttpRequest r) {
    c.writeInbound(r, LastHttpContent.EMPTY_LAST_CONTENT);
    c.runPendingTasks();
    return c.readOutbound();
  }

  private static String body(FullHttpResponse r) {
    try {
      return r.content().toString(UTF_8);
    } finally {
      r.release();
    }
  }

  @Test
  void postWhenBearerValidThenTicketJsonThatRedeemsForThatPrincipal() {
    FullHttpResponse r = exchange(ch, request(HttpMethod.POST, "/sse/ticket", fx.bearer("alice")));

    assertThat(r.status().code()).isEqualTo(200);
    assertThat(r.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
    assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
    String json = body(r);
    Matcher m = Pattern.compile(
        "\\{\"ticket\":\"([A-Za-z0-9_-]+)\",\"expiresIn\":30,\"param\":\"slt\",\"resume\":\"lastEventId\",\"separator\":\"_\"}").matcher(json);
    assertThat(m.matches()).as(json).isTrue();
    assertThat(app.requests).isEmpty();

    exchange(ch, request(HttpMethod.GET, "/events?slt=" + m.group(1), null));
    assertThat(app.requests).hasSize(1);
    assertThat(app.requests.get(0).principal()).isEqualTo(new SsePrincipal("alice", Map.of("tenant", "acme")));
  }

  @Test
  void postWhenNoAuthorizationThen401Bearer() {
    FullHttpResponse r = exchange(ch, request(HttpMethod.POST, "/sse/ticket", null));
    assertThat(r.status().code()).isEqualTo(401);
    assertThat(r.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo("Bearer");
    assertThat(r.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
    assertThat(body(r)).isEqualTo("not authenticated\n");
    assertThat(app.requests).isEmpty();
  }

  @Test
  void postWhenBearerForgedThen401() {
    String good = fx.bearer("alice");
    String forged = good.substring(0, good.length() - 4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA");
    FullHttpResponse r = exchange(ch, request(HttpMethod.POST, "/sse/ticket?x=1", forged));
    assertThat(r.status().code()).isEqualTo(401);
    body(r);
  }

  @Test
  void getWhenTicketPathThen405AllowPost() {
    FullHttpResponse r = exchange(ch, request(HttpMethod.GET, "/sse/ticket", fx.bearer("alice")));
    assertThat(r.status().code()).isEqualTo(405);
    assertThat(r.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("POST");
    body(r);
  }

  @Test
  void postWhenTooManyTicketsThen429() {
    try (AuthFixture one = new AuthFixture(b -> b.ticketMaxPerSubject(1))) {
      EmbeddedChannel c = new EmbeddedChannel(new SseAuthHandler(one.auth));
      assertThat(exchange(c, request(HttpMethod.POST, "/sse/ticket", one.bearer("bob"))).release()).isTrue();
      FullHttpResponse r = exchange(c, request(HttpMethod.POST, "/sse/ticket", one.bearer("bob")));
      assertThat(r.status().code()).isEqualTo(429);
      body(r);
      c.finishAndReleaseAll();
    }
  }

  @Test
  void postWhenBodySentThenBodyReleasedUnread() {
    HttpRequest post = request(HttpMethod.POST, "/sse/ticket", fx.bearer("alice"));
    ByteBuf b1 = Unpooled.copiedBuffer("{\"a\":", UTF_8);
    ByteBuf b2 = Unpooled.copiedBuffer("1}", UTF_8);
    ch.writeInbound(post, new DefaultHttpContent(b1), new DefaultLastHttpContent(b2));
    ch.runPendingTasks();
    FullHttpResponse r = ch.readOutbound();
    assertThat(r.status().code()).isEqualTo(200);
    body(r);
    assertThat(b1.refCnt()).isZero();
    assertThat(b2.refCnt()).isZero();
    assertThat(app.contents).isZero();
  }

  @Test
  void channelReadWhenOtherPathThenPassesToNextHandler() {
    ch.writeInbound(request(HttpMethod.POST, "/sse/ticket/other", null), LastHttpContent.EMPTY_LAST_CONTENT);
    ch.runPendingTasks();
    assertThat(app.uris()).containsExactly("/sse/ticket/other");
  }

  @Test
  void postWhenResolverFindsNobodyOrFailsThen401() {
    EmbeddedChannel none = new EmbeddedChannel(new SseAuthHandler(fx.auth, r -> CompletableFuture.completedFuture(null)));
    FullHttpResponse r1 = exchange(none, request(HttpMethod.POST, "/sse/ticket", null));
    assertThat(r1.status().code()).isEqualTo(401);
    body(r1);
    none.finishAndReleaseAll();

    EmbeddedChannel failing = new EmbeddedChannel(new SseAuthHandler(fx.auth,
        r -> CompletableFuture.failedFuture(new IllegalStateException("directory down"))));
    FullHttpResponse r2 = exchange(failing, request(HttpMethod.POST, "/sse/ticket", null));
    assertThat(r2.status().code()).isEqualTo(401); // the core's rule: a failing lookup finds nobody
    assertThat(body(r2)).doesNotContain("directory");
    failing.finishAndReleaseAll();
  }

  @Test
  void postWhenResolverThrowsThen401AndRequestReleased() {
    EmbeddedChannel c = new EmbeddedChannel(new SseAuthHandler(fx.auth, r -> {
      throw new IllegalStateException("bug");
    }));
    FullHttpResponse r = exchange(c, request(HttpMethod.POST, "/sse/ticket", null));
    assertThat(r.status().code()).isEqualTo(401); // the core's rule: a failing lookup finds nobody
    assertThat(body(r)).isEqualTo("not authenticated\n");
    c.finishAndReleaseAll();
  }

  @Test
  void postWhenCustomResolverThenTicketForItsPrincipal() {
    EmbeddedChannel c = new EmbeddedChannel(new SseAuthHandler(fx.auth,
        r -> CompletableFuture.supplyAsync(() -> SsePrincipal.of(r.headers().get("X-User")))));
    HttpRequest req = request(HttpMethod.POST, "/sse/ticket", null);
    req.headers().set("X-User", "carol");
    c.writeInbound(req, LastHttpContent.EMPTY_LAST_CONTENT);
    dev.sseauth.testing.Await.until(java.time.Duration.ofSeconds(5), "the ticket", () -> {
      c.runPendingTasks();
      return !c.outboundMessages().isEmpty();
    });
    FullHttpResponse r = c.readOutbound();
    assertThat(r.status().code()).isEqualTo(200);
    body(r);
    c.finishAndReleaseAll();
  }

  @Test
  void postWhenNoBearerConfiguredThen401EvenWithABearer() {
    SseAuthConfig bare = fx.auth.config().toBuilder().bearerVerifier(null).build();
    try (SseAuth auth = SseAuth.create(bare)) {
      EmbeddedChannel c = new EmbeddedChannel(new SseAuthHandler(auth));
      FullHttpResponse r = exchange(c, request(HttpMethod.POST, "/sse/ticket", fx.bearer("alice")));
      assertThat(r.status().code()).isEqualTo(401);
      assertThat(r.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).isEqualTo("Bearer");
      assertThat(body(r)).isEqualTo("not authenticated\n");
      c.finishAndReleaseAll();
    }
  }
}
