package dev.sseauth.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sseauth.IssuedTicket;
import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.StreamRequest;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.TestKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SerialOutput} on its own, on a {@link FakeContainer}: when the stream starts, what reaches the
 * client, and how each kind of end finishes the response. Its races are in
 * {@link SseResponseConcurrencyTest}.
 */
class SerialOutputTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final Pattern HANDSHAKE = Pattern.compile("retry: \\d+\nevent: auth\nid: (\\S+)_\ndata: \\{\"session\":\"valid\"}\n\n");

  SseAuth auth;
  ExecutorService executor;
  FakeContainer c;
  AtomicInteger opened;
  Allowed allowed;
  SerialOutput out;

  @BeforeEach
  void start() {
    auth = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).build());
    executor = SerialOutput.newExecutor();
    c = new FakeContainer();
    opened = new AtomicInteger();
    String ticket = ((IssuedTicket) auth.issueTicket(SsePrincipal.of("alice")).toCompletableFuture().join()).ticket();
    allowed = (Allowed) auth.decide(StreamRequest.get("slt=" + ticket, null, null)).toCompletableFuture().join();
    out = new SerialOutput(allowed, executor, () -> {
      opened.incrementAndGet();
      c.response.setHeader("X-Started", "yes");
      return c.response.getOutputStream();
    });
  }

  @AfterEach
  void stop() {
    executor.shutdownNow();
    auth.close();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  void write(String s) throws IOException {
    byte[] b = ascii(s);
    out.appWrite(b, 0, b.length);
  }

  /** The body up to and including the handshake; fails if it does not start with one. */
  String handshake() {
    var m = HANDSHAKE.matcher(c.received());
    assertThat(m.lookingAt()).as(c.received()).isTrue();
    return m.group();
  }

  // ---- the start ----

  /**
   * The container abandons the response (async timeout or error, the filter stopping) while the
   * stream is opening, after the abandon has read that no live stream exists yet: the live stream that
   * opens right after must not stay tracked (rotated, counted) for the rest of its session.
   */
  @Test
  void startWhenAbandonedWhileTheStreamOpensThenTheLiveStreamIsNotLeftTracked() throws Exception {
    SerialOutput[] self = new SerialOutput[1];
    self[0] = new SerialOutput(allowed, executor, () -> {
      self[0].abandon(); // between the start's check and the live stream's opening
      return c.response.getOutputStream();
    });
    self[0].startNow();
    assertThat(auth.liveStreams()).as("live streams still tracked").isZero();
  }

  @Test
  void startWhenTheFirstWriteComesThenTheResponseOpensOnceAndTheHandshakeGoesFirst() throws Exception {
    assertThat(out.started()).isFalse();
    assertThat(c.writesStarted()).isZero();
    write("id: 1\ndata: a\n\n");
    write("id: 2\ndata: b\n\n");
    assertThat(out.started()).isTrue();
    assertThat(opened).hasValue(1);
    assertThat(c.headers).containsEntry("X-Started", "yes");
    String hs = handshake();
    String token = HANDSHAKE.matcher(hs).results().findFirst().orElseThrow().group(1);
    assertThat(c.received()).isEqualTo(hs + "id: " + token + "_1\ndata: a\n\nid: " + token + "_2\ndata: b\n\n");
  }

  @Test
  void startWhenTheFirstCallIsAFlushThenTheHandshakeIsOutAndFlushed() throws Exception {
    out.appFlush();
    assertThat(opened).hasValue(1);
    assertThat(c.received()).isEqualTo(handshake());
  }

  @Test
  void endSyncWhenNotAStreamThenNothingStartsAndNothingIsWritten() throws Exception {
    out.endSync(false);
    assertThat(opened).hasValue(0);
    assertThat(c.writesStarted()).isZero();
    assertThatThrownBy(() -> write("data: late\n\n")).isInstanceOf(IOException.class);
    assertThat(c.ended()).isFalse(); // the container finishes it
  }

  @Test
  void endSyncWhenAStreamThatWroteNothingThenTheHandshakeStillGoesOut() throws Exception {
    out.endSync(true);
    assertThat(c.received()).isEqualTo(handshake());
    assertThat(c.ended()).isFalse(); // the container finishes it
    assertThat(c.violations).isEmpty();
  }

  // ---- the core's side ----

  @Test
  void executeWhenTheStreamIsIdleThenTheTaskRunsOnAnotherThreadAndItsWriteReachesTheClient() throws Exception {
    write("data: a\n\n");
    Thread caller = Thread.currentThread();
    AtomicBoolean elsewhere = new AtomicBoolean();
    out.execute(() -> {
      elsewhere.set(Thread.currentThread() != caller);
      try {
        out.write(ascii(": task\n\n"));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    Await.until(WAIT, "the task's write", () -> c.tasks() == 1);
    assertThat(elsewhere).isTrue();
    assertThat(c.received()).endsWith("data: a\n\n: task\n\n");
  }

  @Test
  void executeWhenTheStreamHasNotStartedThenTheTaskWaitsForTheStartAndRunsRightAfterIt() throws Exception {
    out = new SerialOutput(allowed, Runnable::run, () -> c.response.getOutputStream()); // drains at once
    AtomicInteger ran = new AtomicInteger();
    out.execute(() -> {
      try {
        out.write(ascii(": task\n\n"));
        ran.incrementAndGet();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    assertThat(ran).hasValue(0);
    assertThat(c.writesStarted()).isZero();
    write("data: a\n\n"); // starts the stream; the task runs as this write releases the lock
    assertThat(ran).hasValue(1);
    assertThat(c.received()).isEqualTo(handshake() + "data: a\n\n: task\n\n");
  }

  // ---- the end ----

  @Test
  void endWhenTheCoreEndsASynchronousStreamThenTheOutputClosesAndEveryLaterWriteIsRefused() throws Exception {
    write("data: 1\n\n");
    out.end(Reason.SESSION_EXPIRED);
    Await.until(WAIT, "the output to close", c::closed);
    String before = c.received();
    assertThatThrownBy(() -> write("data: 2\n\n")).isInstanceOf(IOException.class)
        .hasMessageContaining(Reason.SESSION_EXPIRED.message());
    assertThatThrownBy(out::appFlush).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> out.write(ascii(": core\n\n"))).isInstanceOf(IOException.class);
    AtomicBoolean ran = new AtomicBoolean();
    out.execute(() -> ran.set(true));
    out.appClose(); // nothing left to do
    out.endSync(true); // the servlet returns
    assertThat(ran).as("a task of an ended stream").isFalse();
    assertThat(c.received()).isEqualTo(before);
    assertThat(c.violations).isEmpty();
  }

  @Test
  void endWhenTheCoreEndsAnAsyncStreamThenItsCycleCompletes() throws Exception {
    out.finishBy(c.async);
    write("data: 1\n\n");
    out.end(Reason.SESSION_REVOKED);
    Await.until(WAIT, "the async cycle to complete", c::completed);
    assertThat(c.closed()).isFalse();
    assertThatThrownBy(() -> write("data: 2\n\n")).isInstanceOf(IOException.class);
    assertThat(out.appComplete(false)).as("nothing in flight: the application's complete passes on").isFalse();
    assertThat(c.violations).isEmpty();
  }

  @Test
  void appCloseWhenTheApplicationClosesThenTheOutputClosesAtOnceAndLaterWritesAreRefused() throws Exception {
    write("data: 1\n\n");
    out.appClose();
    assertThat(c.closed()).isTrue();
    assertThatThrownBy(() -> write("data: 2\n\n")).isInstanceOf(IOException.class);
    assertThat(c.violations).isEmpty();
  }

  @Test
  void appCompleteWhenTheStreamIsLiveThenTheOutputCompletesTheCycle() throws Exception {
    out.finishBy(c.async);
    write("data: 1\n\n");
    assertThat(out.appComplete(false)).isTrue();
    Await.until(WAIT, "the async cycle to complete", c::completed);
    assertThatThrownBy(() -> write("data: 2\n\n")).isInstanceOf(IOException.class);
    assertThat(c.violations).isEmpty();
  }

  @Test
  void abandonWhenTheChainThrewThenNothingMoreIsWrittenAndTheResponseIsLeftToTheContainer() throws Exception {
    write("data: 1\n\n");
    out.abandon();
    AtomicBoolean ran = new AtomicBoolean();
    out.execute(() -> ran.set(true));
    assertThatThrownBy(() -> write("data: 2\n\n")).isInstanceOf(IOException.class);
    out.end(Reason.SESSION_REVOKED);
    assertThat(ran).isFalse();
    assertThat(c.ended()).isFalse();
    assertThat(c.received()).endsWith("data: 1\n\n");
  }
}
