package dev.sseauth.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sseauth.adapter.Allowed;
import dev.sseauth.IssuedTicket;
import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.StreamRequest;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.TestKeys;
import jakarta.servlet.AsyncContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SseResponse} under races a real container cannot be steered into: the application writing from
 * several threads, the core's rotations and tasks, and an end (the core's, the application's close or
 * its async complete) all at once, and writes blocked on clients that stopped reading. The core is real;
 * the container is a {@link FakeContainer} that flags every misuse.
 */
class SseResponseConcurrencyTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final int ROUNDS = 30;
  static final int WRITERS = 3;
  static final Pattern APP_EVENT = Pattern.compile("id: (\\S+)_(w(\\d)-(\\d+))\ndata: \\2");
  static final Pattern ROTATION = Pattern.compile("event: sseauth-rotate\nid: (\\S+)_(\\S*)\ndata:");
  static final Pattern HANDSHAKE = Pattern.compile("retry: \\d+\nevent: auth\nid: (\\S+)_\ndata: \\{\"session\":\"valid\"}");

  MutableClock clock;
  SseAuth auth;
  ExecutorService executor;

  @BeforeEach
  void start() {
    clock = MutableClock.atRealTime();
    auth = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).clock(clock)
        .streamCheckInterval(Duration.ofMillis(10)).tokenRotateAfter(Duration.ofMinutes(1)).tokenTtl(Duration.ofHours(1)).build());
    executor = SseResponse.newExecutor();
  }

  @AfterEach
  void stop() {
    executor.shutdownNow();
    auth.close();
  }

  Allowed allowed() {
    String ticket = ((IssuedTicket) auth.issueTicket(SsePrincipal.of("alice")).toCompletableFuture().join()).ticket();
    return (Allowed) auth.decide(StreamRequest.get("slt=" + ticket, null, null)).toCompletableFuture().join();
  }

  /** A response as the filter makes it on the request thread (this one); an async one has started. */
  record Stream(FakeContainer container, SseResponse response, AsyncContext async, Allowed allowed) {}

  Stream stream(boolean async) throws IOException {
    FakeContainer c = new FakeContainer();
    Allowed a = allowed();
    SseResponse r = new SseResponse(c.response, a, executor);
    AsyncContext ac = null;
    if (async) {
      ac = r.asyncStarted(c.async);
      r.afterChain(); // the servlet returned: the handshake goes out, the stream goes on
    }
    return new Stream(c, r, ac, a);
  }

  static byte[] event(String id) {
    return ("id: " + id + "\ndata: " + id + "\n\n").getBytes(StandardCharsets.US_ASCII);
  }

  static Thread thread(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  // ---- everything at once ----

  @ParameterizedTest(name = "{0}, ended by {1}")
  @CsvSource({"sync, core", "sync, revocation", "sync, close", "async, core", "async, revocation", "async, close",
      "async, complete"})
  void endWhenAppWritesRotationsTasksAndEndRaceThenNoDeadlockNoWriteAfterTheEndAndTheStreamAlwaysEnds(String kind,
      String endedBy) throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    for (int round = 0; round < ROUNDS; round++) {
      String where = "seed " + seed + ", round " + round;
      Stream s = stream(kind.equals("async"));
      FakeContainer c = s.container();
      SseResponse r = s.response();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicIntegerArray written = new AtomicIntegerArray(WRITERS);
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        threads.add(thread("writer-" + w, () -> {
          try {
            for (int i = 0; ; i++) {
              r.getOutputStream().write(event("w" + writer + "-" + i));
              written.incrementAndGet(writer);
              Thread.yield(); // lets the core's threads in on two cores (pacing, not a wait for anything)
            }
          } catch (IOException e) {
            // the stream ended: the application stops
          }
        }));
      }
      threads.add(thread("rotator", () -> { // the core's rotations, the next due as soon as the last is out
        while (!stop.get()) {
          int before = c.rotations();
          clock.advance(Duration.ofSeconds(61));
          Await.until(WAIT, "a rotation", () -> stop.get() || c.rotations() > before);
        }
      }));
      threads.add(thread("tasker", () -> { // more tasks of the core's, one outstanding at a time
        while (!stop.get()) {
          Semaphore ran = new Semaphore(0);
          r.output().execute(() -> {
            try {
              r.output().write(": task\n\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
              // ended meanwhile
            }
            ran.release();
          });
          try {
            while (!stop.get() && !ran.tryAcquire(1, TimeUnit.MILLISECONDS)) {
              // until it ran, or the round is over (an ended stream runs no task)
            }
          } catch (InterruptedException e) {
            return;
          }
        }
      }));
      int k = 1 + random.nextInt(60);
      int rotations = random.nextInt(4);
      int tasks = random.nextInt(20);
      Await.until(WAIT, where + ": " + k + " writes, " + rotations + " rotations and " + tasks + " tasks",
          () -> c.writesStarted() >= k && c.rotations() >= rotations && c.tasks() >= tasks);
      int startedAtEnd = -1;
      switch (endedBy) {
        case "core" -> {
          r.output().end(Reason.SESSION_REVOKED);
          startedAtEnd = c.writesStarted();
        }
        case "revocation" -> auth.revokeSession(s.allowed().session().sessionId()).toCompletableFuture().join();
        case "close" -> r.getOutputStream().close();
        case "complete" -> s.async().complete();
        default -> throw new IllegalArgumentException(endedBy);
      }
      Await.until(WAIT, where + ": the response to end", c::ended);
      stop.set(true);
      for (Thread t : threads) {
        t.join(WAIT.toMillis());
        assertThat(t.isAlive()).as(where + ": " + t.getName() + " stuck (a deadlock?)").isFalse();
      }
      if (kind.equals("sync")) {
        r.afterChain(); // the servlet returns
      }
      assertThat(c.violations).as(where).isEmpty();
      if (startedAtEnd >= 0) {
        assertThat(c.writesStarted() - startedAtEnd).as(where + ": writes begun after end() returned")
            .isLessThanOrEqualTo(1); // the one that had passed its check already
      }
      assertThat(endedBy.equals("close") || kind.equals("sync") ? c.closed() : c.completed()).as(where).isTrue();
      assertWhole(c.received(), written, where);
    }
  }

  /**
   * Every event arrived whole, each application event with the token current at that point, and each
   * writer's events exactly once, in order: those whose write returned and no other.
   */
  static void assertWhole(String body, AtomicIntegerArray written, String where) {
    String[] blocks = body.split("\n\n", -1);
    assertThat(blocks[blocks.length - 1]).as(where + ": a trailing partial event").isEmpty();
    Matcher hs = HANDSHAKE.matcher(blocks[0]);
    assertThat(hs.matches()).as(where + ": " + blocks[0]).isTrue();
    String token = hs.group(1);
    int[] next = new int[WRITERS];
    for (int i = 1; i < blocks.length - 1; i++) {
      // a heartbeat is a lone ":" comment line: an event of its own between events, or a line inside the
      // application's unfinished event (every parser ignores it); the rest of the block must be whole
      String b = String.join("\n", Arrays.stream(blocks[i].split("\n", -1)).filter(l -> !l.equals(":")).toList());
      if (b.isEmpty()) {
        continue;
      }
      Matcher rot = ROTATION.matcher(b);
      Matcher app = APP_EVENT.matcher(b);
      if (rot.matches()) {
        assertThat(rot.group(1)).as(where).isNotEqualTo(token);
        token = rot.group(1);
      } else if (app.matches()) {
        assertThat(app.group(1)).as(where + ": the token of " + b).isEqualTo(token);
        int w = Integer.parseInt(app.group(3));
        assertThat(Integer.parseInt(app.group(4))).as(where + ": writer " + w).isEqualTo(next[w]);
        next[w]++;
      } else {
        assertThat(b).as(where).isEqualTo(": task");
      }
    }
    for (int w = 0; w < WRITERS; w++) {
      assertThat(next[w]).as(where + ": events of writer " + w).isEqualTo(written.get(w));
    }
  }

  // ---- clients that stop reading ----

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async"})
  void endWhenTheAppIsBlockedWritingToAStalledClientThenEndReturnsAtOnceLaterWritesFailAtOnceAndTheResponseEndsAfterThatWrite(
      String kind) throws Exception {
    Stream s = stream(kind.equals("async"));
    FakeContainer c = s.container();
    SseResponse r = s.response();
    r.getOutputStream().write(event("1"));
    c.stall();
    AtomicBoolean secondWritten = new AtomicBoolean();
    Thread blocked = thread("blocked-writer", () -> {
      try {
        r.getOutputStream().write(event("2"));
        secondWritten.set(true);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    Await.until(WAIT, "the application's write to block", () -> c.blocked() == 1);

    AtomicBoolean taskRan = new AtomicBoolean();
    CompletableFuture.runAsync(() -> r.output().execute(() -> taskRan.set(true))).get(1, TimeUnit.SECONDS);
    CompletableFuture.runAsync(() -> r.output().end(Reason.SESSION_REVOKED)).get(1, TimeUnit.SECONDS);
    // another application thread learns of the end at once instead of queueing behind the stalled write
    CompletableFuture<Throwable> next = CompletableFuture.supplyAsync(() -> {
      try {
        r.getOutputStream().write(event("3"));
        return null;
      } catch (IOException e) {
        return e;
      }
    });
    assertThat(next.get(1, TimeUnit.SECONDS)).isInstanceOf(IOException.class).hasMessageContaining("session revoked");
    assertThat(c.ended()).as("ended under a write in progress").isFalse();

    c.unstall(); // the client reads again (or the connection breaks)
    Await.until(WAIT, "the response to end once the write is over", c::ended);
    blocked.join(WAIT.toMillis());
    assertThat(secondWritten).isTrue(); // it had begun before the end
    assertThat(taskRan).as("a task deferred behind the write, then the stream ended").isFalse();
    assertThat(c.violations).isEmpty();
    assertThat(c.received()).endsWith("_2\ndata: 2\n\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async"})
  void endWhenManyStalledStreamsHoldExecutorThreadsInWritesThenAnIdleStreamStillEndsWithinOneSecond(String kind)
      throws Exception {
    List<Stream> stalled = new ArrayList<>();
    for (int i = 0; i < 8; i++) { // more than the executor of old had threads
      Stream s = stream(kind.equals("async"));
      s.response().getOutputStream().write(event("1"));
      s.container().stall();
      SseResponse r = s.response();
      r.output().execute(() -> { // the application is idle: an executor thread writes, and blocks
        try {
          r.output().write(": rotation stand-in\n\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      });
      stalled.add(s);
    }
    Await.until(WAIT, "every stalled stream's executor thread blocked in its write",
        () -> stalled.stream().allMatch(s -> s.container().blocked() == 1));
    for (Stream s : stalled) {
      s.response().output().end(Reason.SESSION_REVOKED); // returns at once, though its output is busy
    }

    Stream idle = stream(kind.equals("async"));
    idle.response().getOutputStream().write(event("1"));
    long t0 = System.nanoTime();
    idle.response().output().end(Reason.SESSION_REVOKED);
    Await.until(Duration.ofSeconds(1).minusNanos(System.nanoTime() - t0), "the idle stream to end",
        idle.container()::ended);
    assertThat(kind.equals("sync") ? idle.container().closed() : idle.container().completed()).isTrue();

    assertThat(stalled).noneMatch(s -> s.container().ended());
    stalled.forEach(s -> s.container().unstall());
    Await.until(WAIT, "the stalled streams to end once their writes are over",
        () -> stalled.stream().allMatch(s -> s.container().ended()));
    for (Stream s : stalled) {
      assertThat(s.container().violations).isEmpty();
    }
    assertThat(idle.container().violations).isEmpty();
  }

  // ---- the first write ----

  @ParameterizedTest
  @ValueSource(strings = {"sync", "async"})
  void endWhenTheSessionIsRevokedBeforeTheStreamOpensThenOnlyTheHandshakeGoesOutAndTheResponseEnds(String kind)
      throws Exception {
    FakeContainer c = new FakeContainer();
    Allowed a = allowed();
    auth.revokeSession(a.session().sessionId()).toCompletableFuture().join();
    SseResponse r = new SseResponse(c.response, a, executor);
    if (kind.equals("async")) {
      r.asyncStarted(c.async);
    }
    assertThatThrownBy(() -> r.getOutputStream().write(event("1"))).isInstanceOf(IOException.class)
        .hasMessageContaining("session revoked");
    Await.until(WAIT, "the response to end", c::ended);
    assertThat(kind.equals("sync") ? c.closed() : c.completed()).isTrue();
    assertThat(HANDSHAKE.matcher(c.received()).lookingAt()).isTrue();
    assertThat(c.received()).doesNotContain("data: 1");
    if (kind.equals("sync")) {
      r.afterChain();
      assertThat(c.headers).containsEntry("Connection", "close"); // no container hook to close it
    }
    assertThat(c.violations).isEmpty();
  }

  @Test
  void completeWhenTheAppCompletesWhileAWriteOfTheCoresIsBlockedThenTheContainerCompletesOnlyAfterIt()
      throws Exception {
    Stream s = stream(true);
    FakeContainer c = s.container();
    SseResponse r = s.response();
    r.getOutputStream().write(event("1"));
    c.stall();
    r.output().execute(() -> {
      try {
        r.output().write(": rotation stand-in\n\n".getBytes(StandardCharsets.US_ASCII));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    Await.until(WAIT, "the core's write to block", () -> c.blocked() == 1);
    CompletableFuture.runAsync(() -> s.async().complete()).get(1, TimeUnit.SECONDS);
    assertThat(c.completed()).as("completed under a write in progress").isFalse();
    assertThatThrownBy(() -> r.getOutputStream().write(event("2"))).isInstanceOf(IOException.class);
    c.unstall();
    Await.until(WAIT, "the container's complete after the write", c::completed);
    assertThat(c.violations).isEmpty();
  }
}
