package dev.sseauth.webflux.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.TestKeys;
import dev.sseauth.testing.Tickets;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * {@link GuardedBody} with everything at once: the application writes events split at random points from
 * one thread, the core rotates the token and sends heartbeats from its own threads (the clock jumps past
 * the rotation age and the heartbeat interval again and again), and the server asks for a few buffers at
 * a time from a third thread. Whatever the interleaving, every event arrives whole and in order with its id
 * rewritten under a token the stream announced, sse-auth's own events never cut into one, and no buffer is
 * sent without demand.
 */
class GuardedBodyConcurrencyTest {
  private static final int EVENTS = 20_000;
  private static final Pattern ANNOUNCED = Pattern.compile("event: (?:auth|sseauth-rotate)\nid: ([^_\n]+)_");

  @Test
  void bodyWhenTheAppWritesWhileTheCoreRotatesAndBeatsThenEveryEventIsWholeAndRewritten() throws Exception {
    for (int round = 0; round < 5; round++) {
      run(round);
    }
  }

  private void run(int seed) throws Exception {
    MutableClock clock = MutableClock.atRealTime();
    SseAuthConfig config = SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).paths(List.of("/events"))
        .clock(clock).streamCheckInterval(Duration.ofMillis(10)).heartbeat(Duration.ofSeconds(1))
        .tokenRotateAfter(Duration.ofMinutes(5)).tokenTtl(Duration.ofMinutes(10)).sessionMaxLifetime(Duration.ofDays(30))
        .build();
    try (SseAuth auth = SseAuth.create(config)) {
      Allowed allowed = (Allowed) Tickets.redeem(auth, Tickets.ticket(auth, "alice"));
      SplittableRandom random = new SplittableRandom(seed);
      StringBuilder all = new StringBuilder();
      for (int i = 1; i <= EVENTS; i++) {
        all.append("id: ").append(i).append("\ndata: ").append("d".repeat(i % 40)).append("\n\n");
      }
      List<String> chunks = new ArrayList<>();
      for (int at = 0; at < all.length(); ) {
        int n = Math.min(all.length() - at, 1 + random.nextInt(60));
        chunks.add(all.substring(at, at + n));
        at += n;
      }
      Flux<DataBuffer> app = Flux.fromIterable(chunks)
          .map(c -> (DataBuffer) DefaultDataBufferFactory.sharedInstance.wrap(c.getBytes(StandardCharsets.UTF_8)))
          .publishOn(Schedulers.single(), 8);
      GuardedBody body = new GuardedBody(allowed, app, DefaultDataBufferFactory.sharedInstance);

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      AtomicLong requested = new AtomicLong();
      AtomicLong received = new AtomicLong();
      AtomicBoolean done = new AtomicBoolean();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      AtomicReference<Subscription> subscription = new AtomicReference<>();
      AtomicLong rotated = new AtomicLong();
      body.subscribe(new Subscriber<DataBuffer>() {
        @Override
        public void onSubscribe(Subscription s) {
          subscription.set(s);
        }

        @Override
        public void onNext(DataBuffer b) {
          if (received.incrementAndGet() > requested.get()) {
            failed.compareAndSet(null, new AssertionError("a buffer without demand"));
          }
          byte[] bytes = new byte[b.readableByteCount()];
          b.read(bytes);
          DataBufferUtils.release(b);
          synchronized (out) {
            out.writeBytes(bytes);
          }
          if (new String(bytes, StandardCharsets.UTF_8).contains("event: sseauth-rotate")) {
            rotated.incrementAndGet(); // sse-auth's own events are written whole, one buffer each
          }
        }

        @Override
        public void onError(Throwable t) {
          failed.compareAndSet(null, t);
          done.set(true);
        }

        @Override
        public void onComplete() {
          done.set(true);
        }
      });
      Thread server = new Thread(() -> { // asks for a few buffers whenever it has none outstanding
        SplittableRandom r = new SplittableRandom(seed + 1000);
        while (!done.get()) {
          if (received.get() == requested.get()) {
            long n = 1 + r.nextInt(8);
            requested.addAndGet(n);
            subscription.get().request(n);
          }
          LockSupport.parkNanos(20_000);
        }
      });
      Thread time = new Thread(() -> { // heartbeats and rotations, over and over
        while (!done.get()) {
          clock.advance(Duration.ofSeconds(2)); // a heartbeat is due
          LockSupport.parkNanos(15_000_000);
          long before = rotated.get();
          clock.advance(Duration.ofMinutes(5)); // a rotation is due; the next jump waits for it (else the token expires)
          while (!done.get() && rotated.get() == before) {
            LockSupport.parkNanos(1_000_000);
          }
        }
      });
      server.start();
      time.start();
      Await.until(Duration.ofSeconds(60), "the stream to complete", done::get);
      server.join();
      time.join();
      assertThat(failed.get()).isNull();

      String text;
      synchronized (out) {
        text = out.toString(StandardCharsets.UTF_8);
      }
      List<String> announced = new ArrayList<>(); // every token the stream announced, in order
      Matcher m = ANNOUNCED.matcher(text);
      while (m.find()) {
        announced.add(m.group(1));
      }
      int current = 0;
      int announcements = 0;
      int next = 1;
      int rotations = 0;
      int beats = 0;
      String event = null;
      String id = null;
      List<String> data = new ArrayList<>();
      for (String line : text.split("\n", -1)) {
        if (line.isEmpty()) { // dispatch
          if ("auth".equals(event) || "sseauth-rotate".equals(event)) {
            assertThat(id.substring(0, id.indexOf('_'))).isEqualTo(announced.get(announcements++));
            rotations += "sseauth-rotate".equals(event) ? 1 : 0;
          } else if (id != null) {
            int sep = id.lastIndexOf('_');
            // the token the stream announced last, or the one its next rotation event announces (a rotation
            // takes effect at once; its event follows the event in progress): never an older one
            int t = announced.indexOf(id.substring(0, sep));
            assertThat(t).as("event %d's token was announced", next).isGreaterThanOrEqualTo(current);
            current = t;
            assertThat(id.substring(sep + 1)).isEqualTo(String.valueOf(next));
            assertThat(data).containsExactly(" " + "d".repeat(next % 40));
            next++;
          }
          event = null;
          id = null;
          data.clear();
        } else if (line.equals(":")) {
          beats++;
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("data:")) {
          data.add(line.substring(5));
        } else {
          assertThat(line).as("an unexpected line").startsWith("retry: ");
        }
      }
      assertThat(next - 1).as("every application event, whole and in order (round %d, %d rotations, ends with %s)", seed,
          rotations, text.substring(Math.max(0, text.length() - 400))).isEqualTo(EVENTS);
      assertThat(rotations).as("rotations happened meanwhile").isPositive();
      assertThat(auth.liveStreams()).isZero();
    }
  }

  @Test
  void bodyWhenTheServerAsksForNothingThenHeartbeatsQueueUpToABoundAndTheStreamEnds() throws Exception {
    MutableClock clock = MutableClock.atRealTime();
    SseAuthConfig config = SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).paths(List.of("/events"))
        .clock(clock).streamCheckInterval(Duration.ofMillis(10)).build();
    try (SseAuth auth = SseAuth.create(config)) {
      Allowed allowed = (Allowed) Tickets.redeem(auth, Tickets.ticket(auth, "alice"));
      AtomicBoolean cancelled = new AtomicBoolean();
      Flux<DataBuffer> app = Flux.<DataBuffer>never().doOnCancel(() -> cancelled.set(true));
      GuardedBody body = new GuardedBody(allowed, app, DefaultDataBufferFactory.sharedInstance);
      AtomicBoolean completed = new AtomicBoolean();
      body.subscribe(new Subscriber<DataBuffer>() {
        @Override
        public void onSubscribe(Subscription s) {} // a client whose buffers are full: the server asks for nothing

        @Override
        public void onNext(DataBuffer b) {
          throw new AssertionError("a buffer without demand");
        }

        @Override
        public void onError(Throwable t) {
          throw new AssertionError(t);
        }

        @Override
        public void onComplete() {
          completed.set(true);
        }
      });
      assertThat(auth.liveStreams()).isEqualTo(1);
      for (int beat = 1; beat <= 3; beat++) { // the handshake and three heartbeats wait unsent
        clock.advance(config.heartbeat().plusSeconds(1));
        int expected = beat;
        Await.until(Duration.ofSeconds(5), "heartbeat " + beat + " queued", () -> queuedOwn(body) == 1 + expected);
      }
      assertThat(completed).isFalse();
      clock.advance(config.heartbeat().plusSeconds(1)); // the fifth of sse-auth's writes fails: the stream ends
      Await.until(Duration.ofSeconds(5), "the stream ended", completed::get);
      assertThat(cancelled).as("the application's body cancelled").isTrue();
      assertThat(auth.liveStreams()).isZero();
    }
  }

  /** How many of sse-auth's own writes wait unsent in {@code body}. */
  private static int queuedOwn(GuardedBody body) {
    return body.ownQueuedForTests();
  }
}
