package dev.sseauth;

import static dev.sseauth.testing.Tickets.await;
import static dev.sseauth.testing.Tickets.handshakeId;
import static dev.sseauth.testing.Tickets.redeem;
import static dev.sseauth.testing.Tickets.resume;
import static dev.sseauth.testing.Tickets.ticket;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Decision;
import dev.sseauth.adapter.LiveStream;
import dev.sseauth.adapter.Reply;
import dev.sseauth.internal.MemoryStore;
import dev.sseauth.spi.RevocationStatus;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.ForwardingStore;
import dev.sseauth.testing.LogCapture;
import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.RecordingOutput;
import dev.sseauth.testing.TestKeys;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the core tells an {@link SseAuthListener}, and that a listener can never change an outcome. */
class SseAuthListenerTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final MutableClock clock = MutableClock.atRealTime();
  private final Recorder events = new Recorder();
  private SseAuth auth;

  /** Records every event as text; the decision times are checked and left out of the text. */
  static final class Recorder implements SseAuthListener {
    final List<String> seen = new CopyOnWriteArrayList<>();
    final List<Long> nanos = new CopyOnWriteArrayList<>();

    @Override
    public void ticketIssued() {
      seen.add("ticketIssued");
    }

    @Override
    public void ticketRefused(Reason reason) {
      seen.add("ticketRefused " + reason);
    }

    @Override
    public void streamAllowed(Credential credential, long nanos) {
      seen.add("streamAllowed " + credential);
      this.nanos.add(nanos);
    }

    @Override
    public void streamDenied(Reason reason, long nanos) {
      seen.add("streamDenied " + reason);
      this.nanos.add(nanos);
    }

    @Override
    public void streamOpened() {
      seen.add("streamOpened");
    }

    @Override
    public void streamEnded(Reason reason) {
      seen.add("streamEnded " + reason);
    }

    @Override
    public void tokenRotated() {
      seen.add("tokenRotated");
    }

    @Override
    public void revocationReceived() {
      seen.add("revocationReceived");
    }

    @Override
    public void storeUnavailable() {
      seen.add("storeUnavailable");
    }

    /** The events recorded so far, and forgets exactly those (later ones, even equal ones, stay). */
    synchronized List<String> take() {
      List<String> all = List.copyOf(seen);
      seen.subList(0, all.size()).clear();
      return all;
    }
  }

  private SseAuthConfig.Builder base() {
    return SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).clock(clock)
        .streamCheckInterval(Duration.ofMillis(20)).ticketMaxPerSubject(2);
  }

  @AfterEach
  void close() {
    if (auth != null) {
      auth.close();
    }
  }

  @Test
  void listenerByDefaultIsNone() {
    assertThat(base().build().listener()).isSameAs(SseAuthListener.NONE);
  }

  @Test
  void eventsWhenAStreamLivesItsWholeLifeThenEachIsToldOnceInOrder() throws Exception {
    auth = SseAuth.create(base().tokenRotateAfter(Duration.ofMinutes(5)).listener(events).build());

    String t = ticket(auth, "alice");
    assertThat(events.take()).containsExactly("ticketIssued");

    Allowed a = (Allowed) redeem(auth, t);
    assertThat(redeem(auth, t)).isInstanceOf(Denied.class); // the replay
    assertThat(events.take()).containsExactly("streamAllowed TICKET", "streamDenied INVALID_TICKET");

    RecordingOutput out = new RecordingOutput();
    LiveStream live = a.open(out);
    assertThat(events.take()).containsExactly("streamOpened");

    Allowed again = (Allowed) resume(auth, handshakeId(a));
    assertThat(events.take()).containsExactly("streamAllowed TOKEN");
    again.open(new RecordingOutput()).close(); // the application ended that one
    assertThat(events.take()).containsExactly("streamOpened", "streamEnded null");

    clock.advance(Duration.ofMinutes(5));
    Await.until(WAIT, "the live stream's token to rotate", () -> events.seen.contains("tokenRotated"));
    assertThat(events.take()).containsExactly("tokenRotated");

    await(auth.revokeSession(a.session().sessionId()));
    // the revocation is told after it is enforced: the stream's end first
    Await.until(WAIT, "the revocation to be told", () -> events.seen.contains("revocationReceived"));
    assertThat(out.ended()).isEqualTo(Reason.SESSION_REVOKED);
    assertThat(events.take()).containsExactly("streamEnded SESSION_REVOKED", "revocationReceived");
    live.close(); // already ended: told once
    assertThat(events.take()).isEmpty();
    assertThat(events.nanos).hasSize(3).allMatch(n -> n > 0); // 2 allowed, 1 denied: each timed
  }

  @Test
  void ticketRefusalsWhenEachReasonThenToldWithIt() throws Exception {
    auth = SseAuth.create(base().listener(events).build());
    Reply wrongMethod = await(auth.answerTicketRequest("GET", () -> CompletableFuture.completedFuture(null)));
    Reply nobody = await(auth.answerTicketRequest("POST", () -> CompletableFuture.completedFuture(null)));
    assertThat(wrongMethod.status()).isEqualTo(405);
    assertThat(nobody.status()).isEqualTo(401);
    ticket(auth, "bob");
    ticket(auth, "bob");
    TicketOutcome third = await(auth.issueTicket(SsePrincipal.of("bob")));
    assertThat(third).isInstanceOf(Denied.class);
    assertThat(events.take()).containsExactly("ticketRefused TICKET_METHOD_NOT_ALLOWED",
        "ticketRefused NOT_AUTHENTICATED", "ticketIssued", "ticketIssued", "ticketRefused TOO_MANY_TICKETS");
  }

  @Test
  void storeWhenItFailsThenEachFailedCallIsToldAndTheRequestIsRefused() throws Exception {
    AtomicBoolean down = new AtomicBoolean();
    ForwardingStore store = new ForwardingStore(new MemoryStore(clock, 1000)) {
      @Override
      public CompletionStage<RevocationStatus> revocationStatus(String sessionId, String subject) {
        return down.get() ? CompletableFuture.failedFuture(new IllegalStateException("link cut"))
            : super.revocationStatus(sessionId, subject);
      }
    };
    auth = SseAuth.create(base().store(store).listener(events).build());
    String id = handshakeId(auth, "carol");
    events.take();
    down.set(true);
    assertThat(await(auth.issueTicket(SsePrincipal.of("carol")))).isInstanceOf(Denied.class);
    Decision d = resume(auth, id);
    assertThat(((Denied) d).reason()).isEqualTo(Reason.STORE_UNAVAILABLE);
    assertThat(events.take()).containsExactly("storeUnavailable", "ticketRefused STORE_UNAVAILABLE",
        "storeUnavailable", "streamDenied STORE_UNAVAILABLE");
  }

  @Test
  void listenerWhenEveryMethodThrowsThenOutcomesAreUnchangedAndOnlyTheClassIsLogged() throws Exception {
    // every method throws: runtime exceptions, and errors a listener can throw (a class that failed to
    // load after a redeploy, an assertion)
    SseAuthListener hostile = new SseAuthListener() {
      private final AtomicBoolean flip = new AtomicBoolean();

      private void boom() {
        if (flip.getAndSet(!flip.get())) {
          throw new AssertionError("secret-looking message");
        }
        throw new IllegalStateException("secret-looking message");
      }

      @Override
      public void ticketIssued() {
        boom();
      }

      @Override
      public void ticketRefused(Reason reason) {
        boom();
      }

      @Override
      public void streamAllowed(Credential credential, long nanos) {
        boom();
      }

      @Override
      public void streamDenied(Reason reason, long nanos) {
        boom();
      }

      @Override
      public void streamOpened() {
        boom();
      }

      @Override
      public void streamEnded(Reason reason) {
        boom();
      }

      @Override
      public void tokenRotated() {
        boom();
      }

      @Override
      public void revocationReceived() {
        boom();
      }

      @Override
      public void storeUnavailable() {
        boom();
      }
    };
    try (LogCapture log = new LogCapture()) {
      auth = SseAuth.create(base().tokenRotateAfter(Duration.ofMinutes(5)).listener(hostile).build());
      String t = ticket(auth, "dave");
      ticket(auth, "dave");
      assertThat(await(auth.issueTicket(SsePrincipal.of("dave")))).isInstanceOf(Denied.class); // too many
      Allowed a = (Allowed) redeem(auth, t);
      assertThat(redeem(auth, t)).isInstanceOf(Denied.class);
      RecordingOutput out = new RecordingOutput();
      a.open(out);
      assertThat(auth.liveStreams()).isEqualTo(1);
      clock.advance(Duration.ofMinutes(5));
      Await.until(WAIT, "the live stream's token to rotate", () -> out.written().contains("sseauth-rotate"));
      await(auth.revokeSubject("dave"));
      Await.until(WAIT, "the revoked stream to end", () -> out.ended() == Reason.SESSION_REVOKED);
      Await.until(WAIT, "the revoked stream to be forgotten", () -> auth.liveStreams() == 0);
      assertThat(resume(auth, handshakeId(a))).isInstanceOf(Denied.class);
      assertThat(log.lines()).filteredOn(l -> l.contains("SseAuthListener")).hasSize(1) // once a minute
          .allMatch(l -> l.contains("an SseAuthListener threw java.lang."));
      assertThat(log.text()).doesNotContain("secret-looking message");
    }
  }
}
