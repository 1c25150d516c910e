package dev.sseauth.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.Denied;
import dev.sseauth.IssuedTicket;
import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.HandshakeMode;
import dev.sseauth.testing.TestKeys;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP the core hands adapters as data: every adapter renders it as it is. */
class HttpDataTest {
  private final SseAuth auth = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).build());

  @AfterEach
  void close() {
    auth.close();
  }

  private static <T> T get(CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String body(Reply r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void everyRefusalCarriesItsWholeResponse() {
    for (Reason r : Reason.values()) {
      Reply reply = r.reply();
      assertThat(reply.status()).as("%s", r).isEqualTo(r.status());
      assertThat(body(reply)).isEqualTo(r.message() + "\n");
      assertThat(reply.header("content-type")).isEqualTo("text/plain;charset=UTF-8");
      assertThat(reply.header("Content-Length")).isEqualTo(String.valueOf(reply.body().length));
      assertThat(reply.header("Cache-Control")).isEqualTo("no-store");
      assertThat(reply.header("WWW-Authenticate")).isEqualTo(r.status() == 401 ? reply.header("WWW-Authenticate") : null);
      if (r.status() == 401) {
        assertThat(reply.header("WWW-Authenticate")).startsWith("Bearer");
      }
      assertThat(reply.header("Allow")).isEqualTo(r == Reason.METHOD_NOT_ALLOWED ? "GET"
          : r == Reason.TICKET_METHOD_NOT_ALLOWED ? "POST" : null);
      assertThat(reply.closesConnection()).isEqualTo(r == Reason.MALFORMED_REQUEST || r == Reason.URI_TOO_LONG
          || r == Reason.HEADERS_TOO_LARGE);
    }
    assertThat(Reason.NO_CREDENTIALS.reply().header("WWW-Authenticate")).isEqualTo("Bearer");
    assertThat(Reason.INVALID_TOKEN.reply().header("WWW-Authenticate")).isEqualTo("Bearer error=\"invalid_token\"");
  }

  @Test
  void replyBodyAndHeadersCannotBeChangedFromOutside() {
    Reply r = Reason.NO_CREDENTIALS.reply();
    r.body()[0] = 'X';
    assertThat(body(r)).startsWith("no session");
    assertThat(r.toString()).doesNotContain("session token");
  }

  @Test
  void allowedAndDeniedHaveNoConstructorOutsideTheCore() {
    for (Class<?> c : List.of(Allowed.class, Denied.class)) {
      assertThat(Arrays.stream(c.getDeclaredConstructors()).map(k -> k.getModifiers()))
          .as("%s constructors", c.getSimpleName()).allMatch(Modifier::isPrivate);
      assertThat(Modifier.isFinal(c.getModifiers())).isTrue();
    }
  }

  @Test
  void rewritesOnlyA200EventStream() throws Exception {
    Allowed a = redeem();
    assertThat(a.reply()).isNull();
    assertThat(a.rewrites(200, "text/event-stream")).isTrue();
    assertThat(a.rewrites(200, " Text/Event-Stream ; charset=UTF-8")).isTrue();
    assertThat(a.rewrites(204, "text/event-stream")).isFalse();
    assertThat(a.rewrites(500, "text/event-stream")).isFalse();
    assertThat(a.rewrites(200, "text/plain")).isFalse();
    assertThat(a.rewrites(200, "text/event-streams")).isFalse();
    assertThat(a.rewrites(200, null)).isFalse();
  }

  @Test
  void streamHeadersForbidCachingAndDropTheLength() throws Exception {
    Allowed a = redeem();
    assertThat(a.streamHeaders(false)).containsExactly(new Reply.Header("Cache-Control", "no-store"),
        new Reply.Header("Content-Length", null));
    assertThat(a.streamHeaders(true)).containsExactly(new Reply.Header("Cache-Control", "no-store"),
        new Reply.Header("Content-Length", null), new Reply.Header("Connection", "close"));
    assertThat(a.appLastEventId()).isNull();
  }

  @Test
  void reconnectModeAnswersWithTheHandshakeAlone() throws Exception {
    try (SseAuth reconnect = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET)
        .handshakeMode(HandshakeMode.RECONNECT).build())) {
      String ticket = ((IssuedTicket) get(reconnect.issueTicket(SsePrincipal.of("alice")))).ticket();
      Allowed a = (Allowed) get(reconnect.decide(StreamRequest.get("slt=" + ticket, null, null)));
      Reply r = a.reply();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("Content-Type")).isEqualTo("text/event-stream");
      assertThat(r.header("Cache-Control")).isEqualTo("no-store");
      assertThat(r.body()).isEqualTo(a.handshake());
      assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(a.handshake().length));
      assertThat(body(r)).startsWith("retry: 0\n");
    }
  }

  @Test
  void requestFactsAreReadByTheCore() {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.put("last-event-id", new String("tok_\u00e9".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    headers.put("ORIGIN", "https://app.example");
    StreamRequest r = StreamRequest.of("GET", "slt=x", headers::get);
    assertThat(r.lastEventId()).isEqualTo("tok_\u00e9");
    assertThat(r.origin()).isEqualTo("https://app.example");
    assertThat(r.rawQuery()).isEqualTo("slt=x");
    StreamRequest none = StreamRequest.of("POST", null, name -> null);
    assertThat(none.lastEventId()).isNull();
    assertThat(none.origin()).isNull();
  }

  @Test
  void ticketEndpointWhenNotPostThen405AndThePrincipalIsNotAsked() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    for (String m : List.of("GET", "HEAD", "PUT", "post", "OPTIONS")) {
      Reply r = get(auth.answerTicketRequest(m, () -> {
        asked.incrementAndGet();
        return CompletableFuture.completedFuture(SsePrincipal.of("alice"));
      }));
      assertThat(r.status()).isEqualTo(405);
      assertThat(r.header("Allow")).isEqualTo("POST");
      assertThat(body(r)).isEqualTo("only POST is allowed on the ticket endpoint\n");
    }
    assertThat(asked).hasValue(0);
  }

  @Test
  void ticketEndpointWhenNoPrincipalThen401() throws Exception {
    List<java.util.function.Supplier<CompletionStage<SsePrincipal>>> none = List.of(
        () -> CompletableFuture.completedFuture(null),
        () -> null,
        () -> CompletableFuture.failedFuture(new IllegalStateException("resolver broke")),
        () -> {
          throw new IllegalArgumentException("bad header");
        });
    for (var p : none) {
      Reply r = get(auth.answerTicketRequest("POST", p));
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
    }
  }

  @Test
  void ticketEndpointWhenThePrincipalLookupNeverAnswersThen503() throws Exception {
    try (SseAuth quick = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET)
        .storeTimeout(Duration.ofMillis(10)).build())) {
      CompletableFuture<SsePrincipal> never = new CompletableFuture<>();
      Reply r = get(quick.answerTicketRequest("POST", () -> never));
      assertThat(r.status()).isEqualTo(503);
      assertThat(never).as("the resolver's own stage is left alone").isNotDone();
    }
  }

  @Test
  void ticketEndpointWhenAuthenticatedThenTheTicketAsJsonThatRedeems() throws Exception {
    Reply r = get(auth.answerTicketRequest("POST", () -> CompletableFuture.completedFuture(SsePrincipal.of("alice"))));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).isEqualTo("application/json");
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    String json = body(r);
    assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(r.body().length));
    String ticket = json.replaceAll(".*\"ticket\":\"([^\"]+)\".*", "$1");
    Decision d = get(auth.decide(StreamRequest.get("slt=" + ticket, null, null)));
    assertThat(d).isInstanceOf(Allowed.class);
    assertThat(((Allowed) d).principal().subject()).isEqualTo("alice");
  }

  @Test
  void ticketEndpointWhenTooManyThen429() throws Exception {
    try (SseAuth capped = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).ticketMaxPerSubject(1).build())) {
      Function<String, Reply> ask = m -> capped.answerTicketRequest(m,
          () -> CompletableFuture.completedFuture(SsePrincipal.of("bob"))).toCompletableFuture().join();
      assertThat(ask.apply("POST").status()).isEqualTo(200);
      Reply r = ask.apply("POST");
      assertThat(r.status()).isEqualTo(429);
      assertThat(body(r)).isEqualTo(Reason.TOO_MANY_TICKETS.message() + "\n");
    }
  }

  private Allowed redeem() throws Exception {
    String ticket = ((IssuedTicket) get(auth.issueTicket(SsePrincipal.of("alice")))).ticket();
    return (Allowed) get(auth.decide(StreamRequest.get("slt=" + ticket, null, null)));
  }
}
