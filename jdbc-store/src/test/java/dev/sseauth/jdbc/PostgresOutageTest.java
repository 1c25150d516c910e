package dev.sseauth.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.Allowed;
import dev.sseauth.Decision;
import dev.sseauth.Denied;
import dev.sseauth.IssuedTicket;
import dev.sseauth.LiveStream;
import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.StreamRequest;
import dev.sseauth.TicketOutcome;
import dev.sseauth.testing.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL cut off mid-test by a TCP proxy between the store's connections and the real server
 * (the shared server itself keeps running): requests fail closed with 503, the core logs one line
 * per outage, and service resumes by itself when the database is reachable again.
 */
class PostgresOutageTest {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  private String prefix;
  private TcpProxy proxy;
  private SseAuth node;
  private SseAuth direct;

  @BeforeEach
  void start() throws Exception {
    prefix = TestDb.uniquePrefix();
    proxy = new TcpProxy(TestDb.PG_PORT);
    direct = SseAuth.create(config(TestDb.PG_URL));
    node = SseAuth.create(config("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test?user=postgres&connectTimeout=2"));
  }

  private SseAuthConfig config(String uri) {
    return SseAuthConfig.builder()
        .hmacSecret(SECRET)
        .storeTimeout(Duration.ofMillis(300))
        .checkInterval(Duration.ofMillis(50))
        .store(JdbcStore.builder().url(uri, null, null).tablePrefix(prefix).createSchema(true).build())
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
    direct.close();
    proxy.close();
    TestDb.dropTables(TestDb.PG_URL, prefix);
  }

  private static <T> T get(java.util.concurrent.CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static <T> T join(java.util.concurrent.CompletionStage<T> s) {
    return s.toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  private static String ticket(SseAuth node, String subject) throws Exception {
    TicketOutcome o = get(node.issueTicket(SsePrincipal.of(subject)));
    assertThat(o).isInstanceOf(IssuedTicket.class);
    return ((IssuedTicket) o).ticket();
  }

  private static StreamRequest withTicket(String ticket) {
    return StreamRequest.get("slt=" + ticket, null, null);
  }

  private static String handshakeId(Allowed allowed) {
    for (String line : new String(allowed.handshake(), StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith("id: ")) {
        return line.substring(4);
      }
    }
    throw new AssertionError("no id in the handshake");
  }

  @Test
  void decideWhenStoreUnreachableThenRefused503AndResumesWhenItReturns() throws Exception {
    try (LogCapture storeLog = new LogCapture("dev.sseauth.store"); LogCapture jdbcLog = new LogCapture("dev.sseauth.jdbc")) {
      Allowed before = (Allowed) get(node.decide(withTicket(ticket(node, "erin"))));
      String token = handshakeId(before);
      String pending = ticket(direct, "erin"); // issued through a healthy node, redeemed during the outage

      proxy.down();
      List<CompletableFuture<Decision>> decisions = new ArrayList<>();
      List<CompletableFuture<TicketOutcome>> issued = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        decisions.add(node.decide(withTicket(pending)).toCompletableFuture());
        decisions.add(node.decide(StreamRequest.get(null, token, null)).toCompletableFuture());
        issued.add(node.issueTicket(SsePrincipal.of("erin")).toCompletableFuture());
      }
      for (CompletableFuture<Decision> d : decisions) {
        assertThat(d.get(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(Denied.class,
            denied -> assertThat(denied.reason()).isEqualTo(Reason.STORE_UNAVAILABLE));
      }
      for (CompletableFuture<TicketOutcome> t : issued) {
        assertThat(t.get(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(Denied.class,
            denied -> assertThat(denied.status()).isEqualTo(503));
      }
      assertThat(storeLog.at(Level.WARNING)).as("one line for the whole outage").hasSize(1);
      assertThat(storeLog.records.get(0).getMessage()).doesNotContain(pending).doesNotContain(token);

      proxy.up();
      Await.until(Duration.ofSeconds(10), "the node serves again without a restart",
          () -> join(node.issueTicket(SsePrincipal.of("erin"))) instanceof IssuedTicket);
      assertThat(get(node.decide(withTicket(ticket(node, "erin"))))).isInstanceOf(Allowed.class);
      assertThat(get(node.decide(StreamRequest.get(null, token, null)))).isInstanceOf(Allowed.class);
      // the ticket that could not be judged during the outage was never taken: it still redeems once
      assertThat(get(node.decide(withTicket(pending)))).isInstanceOf(Allowed.class);
      assertThat(get(node.decide(withTicket(pending)))).isInstanceOf(Denied.class);

      assertThat(storeLog.at(Level.WARNING)).hasSize(1);
      assertThat(storeLog.at(Level.INFO)).as("one line when it answers again").hasSize(1);
      assertThat(jdbcLog.records).as("the store itself logs nothing per request").isEmpty();
    }
  }

  @Test
  void revokeOnOtherNodeAfterOutageThenLiveStreamStillEnds() throws Exception {
    Allowed allowed = (Allowed) get(node.decide(withTicket(ticket(node, "frank"))));
    proxy.down();
    assertThat(get(node.issueTicket(SsePrincipal.of("frank")))).isInstanceOf(Denied.class);
    proxy.up();
    Await.until(Duration.ofSeconds(10), "the node serves again",
        () -> join(node.issueTicket(SsePrincipal.of("frank"))) instanceof IssuedTicket);
    try (RecordingOutput out = new RecordingOutput(); LiveStream stream = allowed.open(out)) {
      assertThat(stream.session().principal().subject()).isEqualTo("frank");
      // polling resumed by itself: a revocation made elsewhere still arrives
      for (int attempt = 0; attempt < 20 && !out.ended.isDone(); attempt++) {
        get(direct.revokeSubject("frank"));
        try {
          out.ended.get(500, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          // not yet re-subscribed
        }
      }
      assertThat(out.ended).isCompletedWithValue(Reason.SESSION_REVOKED);
    }
  }
}
