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
import dev.sseauth.testing.RecordingOutput;
import dev.sseauth.testing.TestKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two sse-auth nodes (two {@link SseAuth} instances, each with its own store client) sharing one
 * backing store: exactly-once redemption across nodes and cluster-wide revocation. Every shared store
 * module extends it, as it extends {@link StoreContractTest}.
 */
public abstract class StoreClusterTest {
  private static final byte[] SECRET = TestKeys.SECRET;

  protected String prefix;
  private SseAuth nodeA;
  private SseAuth nodeB;

  @BeforeEach
  void startNodes() {
    prefix = uniquePrefix();
    nodeA = node();
    nodeB = node();
  }

  @AfterEach
  void stopNodes() {
    nodeA.close();
    nodeB.close();
    deleteAll(prefix);
  }

  /** A key or table prefix no other test run uses. */
  protected abstract String uniquePrefix();

  /** Removes what the test stored under {@code prefix}. */
  protected abstract void deleteAll(String prefix);

  /** A store of its own for one node, on the shared backing store, under {@code prefix}. */
  protected abstract SseAuthStore createNodeStore(String prefix);

  /** The {@code sseauth.store} and {@code sseauth.<store>.*} properties selecting this store under {@code prefix}. */
  protected abstract Map<String, String> storeProperties(String prefix);

  /** How many tickets are stored under {@code prefix}. */
  protected abstract long storedTickets(String prefix);

  private SseAuth node() {
    return node(prefix, b -> b);
  }

  /** A node on the store under {@code prefix}: the same deployment as every node with that prefix. */
  private SseAuth node(String prefix, java.util.function.UnaryOperator<SseAuthConfig.Builder> tweak) {
    return SseAuth.create(tweak.apply(SseAuthConfig.builder()
        .tokenSecret(SECRET)
        // generous limits: under a loaded machine a timed-out take would count as a lost ticket,
        // while these tests are about atomicity (fail-closed timeouts have their own outage tests)
        .storeTimeout(Duration.ofSeconds(30))
        .ticketTtl(Duration.ofMinutes(10))
        .streamCheckInterval(Duration.ofMillis(50))
        .store(createNodeStore(prefix)))
        .build());
  }

  private static <T> T get(java.util.concurrent.CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void decideWhenTicketIssuedOnOtherNodeThenAllowedOnceAcrossNodes() throws Exception {
    String t = ticket(nodeA, "alice");
    Decision onB = get(nodeB.decide(withTicket(t)));
    assertThat(onB).isInstanceOf(Allowed.class);
    assertThat(((Allowed) onB).principal().subject()).isEqualTo("alice");
    Decision againOnA = get(nodeA.decide(withTicket(t)));
    assertThat(againOnA).isInstanceOf(Denied.class);
    assertThat(((Denied) againOnA).reason()).isEqualTo(Reason.INVALID_TICKET);
  }

  @Test
  void decideWhenTenThousandTicketsRacedByBothNodesThenEachRedeemsExactlyOnce() throws Exception {
    int n = 10_000;
    Semaphore inFlight = new Semaphore(256);
    List<String> tickets = new ArrayList<>(n);
    List<CompletableFuture<TicketOutcome>> issued = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      inFlight.acquire();
      SseAuth issuer = i % 2 == 0 ? nodeA : nodeB;
      issued.add(issuer.issueTicket(SsePrincipal.of("racer-" + i)).toCompletableFuture()
          .whenComplete((o, e) -> inFlight.release()));
    }
    for (CompletableFuture<TicketOutcome> f : issued) {
      TicketOutcome o = f.get(30, TimeUnit.SECONDS);
      assertThat(o).isInstanceOf(IssuedTicket.class);
      tickets.add(((IssuedTicket) o).ticket());
    }

    AtomicInteger doubles = new AtomicInteger();
    AtomicInteger lost = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger redeemed = new AtomicInteger();
    List<CompletableFuture<Void>> races = new ArrayList<>(n);
    for (String t : tickets) {
      inFlight.acquire(2);
      CompletableFuture<Decision> a = nodeA.decide(withTicket(t)).toCompletableFuture();
      CompletableFuture<Decision> b = nodeB.decide(withTicket(t)).toCompletableFuture();
      races.add(a.thenCombine(b, (da, db) -> {
        int wins = (da instanceof Allowed ? 1 : 0) + (db instanceof Allowed ? 1 : 0);
        for (Decision d : List.of(da, db)) {
          if (d instanceof Denied denied && denied.reason() != Reason.INVALID_TICKET) {
            failures.incrementAndGet();
          }
        }
        if (wins > 1) {
          doubles.incrementAndGet();
        } else if (wins == 0) {
          lost.incrementAndGet();
        } else {
          redeemed.incrementAndGet();
        }
        return (Void) null;
      }).whenComplete((v, e) -> inFlight.release(2)));
    }
    CompletableFuture.allOf(races.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertThat(failures.get()).as("denials other than an already redeemed ticket").isZero();
    assertThat(doubles.get()).as("double redemptions").isZero();
    assertThat(lost.get()).as("lost tickets").isZero();
    assertThat(redeemed.get()).isEqualTo(n);
  }

  @Test
  void revokeSubjectOnOneNodeThenLiveStreamOnOtherNodeEndsWithinOneSecond() throws Exception {
    Allowed allowed = (Allowed) get(nodeB.decide(withTicket(ticket(nodeA, "bob"))));
    RecordingOutput out = new RecordingOutput();
    try (LiveStream stream = allowed.open(out)) {
      assertThat(stream.session().principal().subject()).isEqualTo("bob");
      get(nodeA.revokeSubject("bob"));
      Await.until(Duration.ofSeconds(1), "the stream on node B ends", () -> out.ended() != null);
      assertThat(out.ended()).isEqualTo(Reason.SESSION_REVOKED);
    }
  }

  @Test
  void revokeSessionOnOneNodeThenOnlyThatStreamEndsOnOtherNode() throws Exception {
    Allowed first = (Allowed) get(nodeB.decide(withTicket(ticket(nodeA, "carol"))));
    Allowed second = (Allowed) get(nodeB.decide(withTicket(ticket(nodeB, "carol"))));
    RecordingOutput out1 = new RecordingOutput();
    RecordingOutput out2 = new RecordingOutput();
    try (LiveStream s1 = first.open(out1); LiveStream s2 = second.open(out2)) {
      assertThat(s1.session().sessionId()).isNotEqualTo(s2.session().sessionId());
      get(nodeA.revokeSession(s1.session().sessionId()));
      Await.until(Duration.ofSeconds(1), "the revoked stream on node B ends", () -> out1.ended() != null);
      assertThat(out1.ended()).isEqualTo(Reason.SESSION_REVOKED);
      // the other session of the same subject keeps streaming; its token still verifies on node A
      assertThat(out2.ended()).isNull();
      String token = handshakeId(second);
      assertThat(get(nodeA.decide(StreamRequest.get(null, token, null)))).isInstanceOf(Allowed.class);
      assertThat(get(nodeA.decide(StreamRequest.get(null, handshakeId(first), null))))
          .isInstanceOfSatisfying(Denied.class, d -> assertThat(d.reason()).isEqualTo(Reason.SESSION_REVOKED));
    }
  }

  @Test
  void createWhenStoreNamedInPropertiesThenNodesShareTheBackingStore() throws Exception {
    Map<String, String> props = new java.util.HashMap<>(storeProperties(prefix));
    props.put("sseauth.token.secret", TestKeys.SECRET_BASE64);
    try (SseAuth a = SseAuth.create(SseAuthConfig.fromMap(props)); SseAuth b = SseAuth.create(SseAuthConfig.fromMap(props))) {
      String t = ticket(a, "dave");
      assertThat(storedTickets(prefix)).isEqualTo(1);
      Decision onB = get(b.decide(withTicket(t)));
      assertThat(onB).isInstanceOf(Allowed.class);
      assertThat(storedTickets(prefix)).isZero();
      // one deployment: the token minted on b verifies on a
      assertThat(get(a.decide(StreamRequest.get(null, handshakeId((Allowed) onB), null)))).isInstanceOf(Allowed.class);
    }
  }

  @Test
  void decideWhenTokenOfAnotherDeploymentOnTheSameServerSharingTheSecretThenInvalidToken() throws Exception {
    String otherPrefix = uniquePrefix();
    try (SseAuth other = node(otherPrefix, b -> b)) {
      String fromA = handshakeId((Allowed) get(nodeA.decide(withTicket(ticket(nodeA, "erin")))));
      String fromOther = handshakeId((Allowed) get(other.decide(withTicket(ticket(other, "erin")))));
      assertThat(get(nodeB.decide(StreamRequest.get(null, fromA, null)))).as("another node of the same deployment")
          .isInstanceOf(Allowed.class);
      assertThat(get(other.decide(StreamRequest.get(null, fromA, null))))
          .isInstanceOfSatisfying(Denied.class, d -> assertThat(d.reason()).isEqualTo(Reason.INVALID_TOKEN));
      assertThat(get(nodeB.decide(StreamRequest.get(null, fromOther, null))))
          .isInstanceOfSatisfying(Denied.class, d -> assertThat(d.reason()).isEqualTo(Reason.INVALID_TOKEN));
    } finally {
      deleteAll(otherPrefix);
    }
  }

  @Test
  void decideWhenBothDeploymentsConfigureOneAudienceThenEachAcceptsTheOthersTokens() throws Exception {
    String prefixX = uniquePrefix();
    String prefixY = uniquePrefix();
    try (SseAuth x = node(prefixX, b -> b.tokenAudience("https://streams.example"));
        SseAuth y = node(prefixY, b -> b.tokenAudience("https://streams.example"))) {
      String fromX = handshakeId((Allowed) get(x.decide(withTicket(ticket(x, "frank")))));
      assertThat(get(y.decide(StreamRequest.get(null, fromX, null)))).isInstanceOf(Allowed.class);
    } finally {
      deleteAll(prefixX);
      deleteAll(prefixY);
    }
  }
}
