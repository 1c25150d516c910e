package dev.sseauth.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.sseauth.testing.Tickets.handshakeId;
import static dev.sseauth.testing.Tickets.ticket;
import static dev.sseauth.testing.Tickets.withTicket;

import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Decision;
import dev.sseauth.Denied;
import dev.sseauth.IssuedTicket;
import dev.sseauth.adapter.LiveStream;
import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.StreamRequest;
import dev.sseauth.TicketOutcome;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.LogCapture;
import dev.sseauth.testing.RecordingOutput;
import dev.sseauth.testing.TcpProxy;
import dev.sseauth.testing.TestKeys;
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
 * The backing store cut off mid-test by a TCP proxy between the store's client and the real server
 * (the shared server itself keeps running): requests fail closed with 503, the core logs one line per
 * outage, and service resumes by itself when the server is reachable again. Every shared store module
 * extends it.
 */
public abstract class StoreOutageTest {
  private static final byte[] SECRET = TestKeys.SECRET;

  protected String prefix;
  private TcpProxy proxy;
  private SseAuth node;
  private SseAuth direct;

  @BeforeEach
  void start() throws Exception {
    prefix = uniquePrefix();
    proxy = new TcpProxy(serverPort());
    direct = SseAuth.create(config(createStore(serverPort(), prefix)));
    node = SseAuth.create(config(createStore(proxy.port(), prefix)));
  }

  /** A key or table prefix no other test run uses. */
  protected abstract String uniquePrefix();

  /** Removes what the test stored under {@code prefix}. */
  protected abstract void deleteAll(String prefix);

  /** The real server's port on 127.0.0.1. */
  protected abstract int serverPort();

  /**
   * A store reaching the server through 127.0.0.1:{@code port}, failing fast (about 300 ms) while it
   * cannot reach it.
   */
  protected abstract SseAuthStore createStore(int port, String prefix);

  /** The logger name of the store module, which must log nothing per request. */
  protected abstract String storeLogger();

  private static SseAuthConfig config(SseAuthStore store) {
    return SseAuthConfig.builder()
        .tokenSecret(SECRET)
        .storeTimeout(Duration.ofMillis(300))
        .streamCheckInterval(Duration.ofMillis(50))
        .store(store)
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
    direct.close();
    proxy.close();
    deleteAll(prefix);
  }

  private static <T> T get(java.util.concurrent.CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static <T> T join(java.util.concurrent.CompletionStage<T> s) {
    return s.toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  @Test
  void decideWhenStoreUnreachableThenRefused503AndResumesWhenItReturns() throws Exception {
    try (LogCapture storeLog = new LogCapture("dev.sseauth.store"); LogCapture moduleLog = new LogCapture(storeLogger())) {
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
      assertThat(storeLog.records().get(0).getMessage()).doesNotContain(pending).doesNotContain(token);

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
      assertThat(moduleLog.records()).as("the store itself logs nothing per request").isEmpty();
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
    RecordingOutput out = new RecordingOutput();
    try (LiveStream stream = allowed.open(out)) {
      assertThat(stream.session().principal().subject()).isEqualTo("frank");
      // the store's revocation feed (pub/sub, polling) resumes by itself: a revocation made elsewhere
      // still arrives (retried, because the feed may resume a moment after the command connection)
      for (int attempt = 0; attempt < 20 && out.ended() == null; attempt++) {
        get(direct.revokeSubject("frank"));
        try {
          out.endedFuture().get(500, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          // not yet re-subscribed
        }
      }
      assertThat(out.ended()).isEqualTo(Reason.SESSION_REVOKED);
    }
  }

  @Test
  void revokeOnOtherNodeWhileLinkIsCutThenLiveStreamEndsWhenLinkReturns() throws Exception {
    Allowed allowed = (Allowed) get(node.decide(withTicket(ticket(node, "gina"))));
    RecordingOutput out = new RecordingOutput();
    try (LiveStream stream = allowed.open(out)) {
      assertThat(stream.session().principal().subject()).isEqualTo("gina");
      // a round trip through the node's link after the stream opened: its own lookup is answered, none is pending
      assertThat(get(node.issueTicket(SsePrincipal.of("gina")))).isInstanceOf(IssuedTicket.class);
      proxy.down();
      get(direct.revokeSubject("gina")); // announced while this node cannot hear it
      proxy.up();
      // once the link is back the node looks up every stream it holds again: no second revocation needed
      Await.until(Duration.ofSeconds(10), "the stream ends after the link returns", () -> out.ended() != null);
      assertThat(out.ended()).isEqualTo(Reason.SESSION_REVOKED);
    }
  }

  @Test
  void decideWhenStoreLinkStallsThenRefused503AndTicketNeverRedeemsTwice() throws Exception {
    Allowed before = (Allowed) get(node.decide(withTicket(ticket(node, "hank"))));
    String token = handshakeId(before);
    String pending = ticket(direct, "hank");
    proxy.stall(); // no reset, no error: the bytes just stop
    int allowed = 0;
    Decision duringStall = get(node.decide(withTicket(pending)));
    assertThat(duringStall).isInstanceOfSatisfying(Denied.class,
        d -> assertThat(d.reason()).isEqualTo(Reason.STORE_UNAVAILABLE));
    assertThat(get(node.decide(StreamRequest.get(null, token, null)))).isInstanceOfSatisfying(Denied.class,
        d -> assertThat(d.reason()).isEqualTo(Reason.STORE_UNAVAILABLE));
    assertThat(get(node.issueTicket(SsePrincipal.of("hank")))).isInstanceOfSatisfying(Denied.class,
        d -> assertThat(d.status()).isEqualTo(503));
    proxy.up();
    Await.until(Duration.ofSeconds(10), "the node serves again",
        () -> join(node.issueTicket(SsePrincipal.of("hank"))) instanceof IssuedTicket);
    // the take sent during the stall may have reached the store late: the ticket is then spent, never
    // redeemed twice (at most once in all, here or on the healthy node)
    for (SseAuth n : List.of(node, direct, node)) {
      if (get(n.decide(withTicket(pending))) instanceof Allowed) {
        allowed++;
      }
    }
    assertThat(allowed).isLessThanOrEqualTo(1);
    assertThat(get(node.decide(StreamRequest.get(null, token, null)))).isInstanceOf(Allowed.class);
  }
}
