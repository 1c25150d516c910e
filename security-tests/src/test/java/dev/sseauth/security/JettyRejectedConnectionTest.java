package dev.sseauth.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.SseAuth;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.fixtures.GuardedApp;
import dev.sseauth.testing.fixtures.JettyServer;
import dev.sseauth.testing.fixtures.RawHttp;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;

/**
 * A request Jetty's parser rejects must leave nothing behind for the next connection.
 *
 * <p>Jetty 12.1 (checked in 12.1.14) answers such a request (here 431, a header over 8 KiB) on another
 * thread while the thread that parsed it is still in {@code HttpConnection.onFillable}. When the error
 * response is written, Jetty resumes {@code onFillable} on a third thread to read the rest of the
 * rejected request, and that thread fills the connection's request buffer while the parsing thread gives
 * the same buffer back to the {@link ByteBufferPool}. A pooling pool then holds a buffer full of the
 * rejected connection's bytes, and the next connection that takes it parses them before its own: a
 * small {@code POST /sse/ticket} on a new connection was answered 431 after the 100 KiB
 * {@code Last-Event-ID} attack ({@code lastEventIdWhen100KiBThen4xx}). The interleaving needs the
 * parsing thread to stall for the length of the error response, so it showed only under load; this test
 * forces it with two hooks: a thread pool that holds the parsing thread right after it hands the error
 * response over, and buffers that hold the resumed thread at its fill until the parsing thread has
 * released the buffer. The hooks find their places by Jetty's method names; if Jetty's code moves, the
 * test fails saying the interleaving did not happen, never passes without it.
 */
class JettyRejectedConnectionTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** The interleaving: who parsed the rejected request, its buffer, and the two hand-offs. */
  private static final class Race {
    volatile boolean armed;
    volatile Thread parser;
    volatile Held rejected;
    final CountDownLatch fillerAtFill = new CountDownLatch(1);
    final CountDownLatch releasedWhileFillerWaited = new CountDownLatch(1);
    final ThreadLocal<Held> lastUsed = new ThreadLocal<>();
  }

  private static boolean calledFrom(String method) {
    return StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> f.getMethodName().equals(method)
        && f.getClassName().startsWith("org.eclipse.jetty.server.internal.HttpConnection")));
  }

  private static void await(CountDownLatch latch, String what) {
    try {
      if (!latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("timed out after " + WAIT + " waiting for: " + what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for: " + what);
    }
  }

  /** Holds the thread that parsed the rejected request right after it hands the error response over. */
  private static final class HoldingThreadPool extends QueuedThreadPool {
    private final Race race;

    HoldingThreadPool(Race race) {
      this.race = race;
    }

    @Override
    public boolean tryExecute(Runnable task) {
      if (!race.armed || race.parser != null || !calledFrom("badMessage")) {
        return super.tryExecute(task);
      }
      race.parser = Thread.currentThread();
      race.rejected = race.lastUsed.get();
      new Thread(task, "error-response").start();
      await(race.fillerAtFill, "Jetty's resumed onFillable to fill the rejected connection's buffer");
      return true;
    }
  }

  /** Each buffer Jetty acquires, wrapped to see who uses it and when it is released. */
  private static final class Held extends RetainableByteBuffer.Wrapper {
    private final Race race;
    final int size;
    final boolean direct;

    Held(RetainableByteBuffer wrapped, Race race, int size, boolean direct) {
      super(wrapped);
      this.race = race;
      this.size = size;
      this.direct = direct;
    }

    @Override
    public ByteBuffer getByteBuffer() {
      Thread parser = race.parser;
      if (this == race.rejected && parser != null && Thread.currentThread() != parser
          && race.fillerAtFill.getCount() > 0 && calledFrom("fillRequestBuffer")) {
        race.fillerAtFill.countDown();
        await(race.releasedWhileFillerWaited, "the parsing thread to release the rejected connection's buffer");
      }
      race.lastUsed.set(this);
      return super.getByteBuffer();
    }

    @Override
    public boolean release() {
      boolean released = super.release();
      if (this == race.rejected && Thread.currentThread() == race.parser && race.fillerAtFill.getCount() == 0) {
        race.releasedWhileFillerWaited.countDown();
      }
      return released;
    }
  }

  private static final class HeldPool extends ByteBufferPool.Wrapper {
    private final Race race;

    HeldPool(ByteBufferPool pool, Race race) {
      super(pool);
      this.race = race;
    }

    @Override
    public RetainableByteBuffer.Mutable acquire(int size, boolean direct) {
      return new Held(super.acquire(size, direct), race, size, direct);
    }
  }

  @Test
  void bufferPoolWhenRejectedConnectionReadsIntoTheBufferItReleasedThenTheNextConnectionIsUnaffected() throws Exception {
    Race race = new Race();
    HeldPool pool = new HeldPool(Target.bufferPool(), race);
    GuardedApp app = new GuardedApp();
    try (SseAuth auth = SseAuth.create(Rig.defaults(MutableClock.atRealTime()).build());
        JettyServer server = Target.jetty(auth, app, new HoldingThreadPool(race), pool)) {
      race.armed = true;
      RawHttp.Response rejected = RawHttp.exchange(server, RawHttp.request("GET", "/events", "Last-Event-ID: " + "9".repeat(100 * 1024)));
      assertThat(rejected.status()).as("%s", rejected).isEqualTo(431);
      // the interleaving happened: the resumed thread filled the buffer the parsing thread had released
      await(race.releasedWhileFillerWaited, "the forced interleaving");
      ServerConnector connector = server.connector();
      Await.until(WAIT, "Jetty to close the rejected connection", () -> connector.getConnectedEndPoints().isEmpty());

      // no buffer the pool hands out holds bytes of the rejected connection
      Held buffer = race.rejected;
      List<RetainableByteBuffer> taken = new ArrayList<>();
      List<String> dirty = new ArrayList<>();
      try {
        for (int i = 0; i < 64; i++) {
          RetainableByteBuffer b = pool.acquire(buffer.size, buffer.direct);
          taken.add(b);
          if (b.hasRemaining()) {
            ByteBuffer view = b.getByteBuffer().duplicate();
            byte[] head = new byte[Math.min(32, view.remaining())];
            view.get(head);
            dirty.add(b.remaining() + " bytes: " + new String(head, StandardCharsets.ISO_8859_1) + "...");
          }
        }
      } finally {
        taken.forEach(RetainableByteBuffer::release);
      }
      assertThat(dirty).as("pooled buffers holding the rejected connection's late bytes").isEmpty();

      // and a small request on a new connection is read as itself
      RawHttp.Response ticket = RawHttp.exchange(server, RawHttp.request("POST", "/sse/ticket", "X-Test-User: alice"));
      assertThat(ticket.status()).as("%s", ticket).isEqualTo(200);
      assertThat(app.runs()).isZero();
    }
  }
}
