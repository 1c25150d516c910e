package dev.sseauth.webflux.internal;

import dev.sseauth.Reason;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.LiveStream;
import dev.sseauth.adapter.StreamOutput;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.CoreSubscriber;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/**
 * The body of a guarded event stream, as the server subscribes to it: the handshake, then every buffer the
 * application writes passed through the {@link LiveStream}'s id rewriter, with sse-auth's own events
 * (rotations, heartbeats) in between; it completes when the application's body does, or early when the
 * core ends the stream (expiry, revocation, a client gone), cancelling the application's body.
 *
 * <p>One lock serialises the rewriter: the application's buffers and the core's tasks both run under it,
 * so they meet the {@code LiveStream} contract; they only transform bytes under it and never signal anyone
 * while holding it. Every signal (to the server, and {@code request}/{@code cancel} to the application's
 * body) goes out from one drain loop at a time, outside the lock, and buffers only on the server's demand.
 * A drain the core asks for (from its timer and store threads) runs on Reactor's parallel scheduler, so
 * that neither the application's code nor the server's runs on the core's threads. Back-pressure: at most
 * one buffer of the body it reads is requested at a time, and only when the server wants one and nothing is
 * waiting, so a client that stops reading stops the application's body (the response asks the application
 * a few buffers ahead, as the server would). A write of sse-auth's own that finds
 * {@link #MAX_OWN_UNSENT} of them still unsent fails (the client is not reading), and the core ends the
 * stream.
 *
 * <p>The application's body sees the server's Reactor context (security context, tracing). Every buffer
 * that reaches this body is released exactly once: an application buffer right after it is read, a buffer
 * of this body by the server after writing it, or here when the stream ends before it is sent.
 */
final class GuardedBody implements Publisher<DataBuffer>, CoreSubscriber<DataBuffer>, Subscription, StreamOutput {
  /**
   * How many of sse-auth's own writes (the handshake, rotations, heartbeats) may wait unsent before the next
   * fails and the core ends the stream: four heartbeat intervals and more of a client that reads nothing (the
   * server stops asking only once its own buffers are full), while a heartbeat and a rotation that meet a
   * moment without demand both pass.
   */
  private static final int MAX_OWN_UNSENT = 4;

  private final Allowed allowed;
  private final Publisher<? extends DataBuffer> source;
  private final DataBufferFactory factory;
  private final Object lock = new Object();
  private final AtomicBoolean subscribed = new AtomicBoolean();
  private final AtomicLong requested = new AtomicLong();
  private final AtomicInteger wip = new AtomicInteger();
  private volatile Subscriber<? super DataBuffer> downstream;

  // guarded by lock
  private final ArrayDeque<Pending> queue = new ArrayDeque<>(2);
  private int ownQueued;
  private Subscription upstream;
  private boolean upstreamRequested;
  private boolean upstreamDone;
  private boolean upstreamCancelled;
  private Throwable upstreamError;
  private Throwable failure;
  private boolean ended; // the core ended the stream, or the server cancelled: no more application bytes
  private boolean cancelled; // the server cancelled: no signal to it any more
  private boolean terminated; // the server got its terminal signal, or cancelled
  private LiveStream live;

  private record Pending(DataBuffer buffer, boolean own) {}

  GuardedBody(Allowed allowed, Publisher<? extends DataBuffer> source, DataBufferFactory factory) {
    this.allowed = allowed;
    this.source = source;
    this.factory = factory;
  }

  // ---- towards the server

  @Override
  public void subscribe(Subscriber<? super DataBuffer> actual) {
    if (!subscribed.compareAndSet(false, true)) {
      actual.onSubscribe(new Subscription() {
        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
      });
      actual.onError(new IllegalStateException("a guarded event stream has one subscriber"));
      return;
    }
    downstream = actual;
    actual.onSubscribe(this);
    byte[] handshake = allowed.handshake();
    boolean open;
    synchronized (lock) {
      open = !ended;
      if (open && handshake.length > 0) {
        queue.add(new Pending(factory.wrap(handshake), true));
        ownQueued++;
      }
    }
    if (open) {
      LiveStream opened = null;
      try {
        opened = allowed.open(this); // outside the lock: the core may end the stream at once
      } catch (RuntimeException e) {
        synchronized (lock) {
          failure = e;
        }
      }
      boolean closeNow;
      synchronized (lock) {
        live = opened;
        closeNow = ended && opened != null;
      }
      if (closeNow) {
        opened.close();
      }
    }
    // always, even when ended already: the source cancelled at once releases what it holds
    source.subscribe(this);
    drain();
  }

  @Override
  public Context currentContext() {
    return downstream instanceof CoreSubscriber<?> c ? c.currentContext() : Context.empty();
  }

  @Override
  public void request(long n) {
    if (n <= 0) {
      synchronized (lock) {
        failure = failure != null ? failure : new IllegalArgumentException("request " + n);
      }
    } else {
      requested.getAndAccumulate(n, (r, add) -> r + add < 0 ? Long.MAX_VALUE : r + add);
    }
    drain();
  }

  @Override
  public void cancel() { // the server gave up on the response: the client is gone
    synchronized (lock) {
      ended = true;
      cancelled = true;
    }
    drain();
  }

  // ---- from the application

  @Override
  public void onSubscribe(Subscription s) {
    boolean duplicate;
    synchronized (lock) {
      duplicate = upstream != null;
      if (!duplicate) {
        upstream = s;
      }
    }
    if (duplicate) {
      s.cancel();
    } else {
      drain();
    }
  }

  @Override
  public void onNext(DataBuffer buffer) {
    DataBuffer out = null;
    synchronized (lock) {
      upstreamRequested = false;
      try {
        if (ended || failure != null) {
          return;
        }
        byte[] in = new byte[buffer.readableByteCount()];
        buffer.read(in);
        // rewritten straight into a buffer of the server's (pooled, on Netty): one copy in, one out
        out = factory.allocateBuffer(in.length + 128);
        live.write(in, 0, in.length, out.asOutputStream());
        if (out.readableByteCount() > 0) {
          queue.add(new Pending(out, false));
          out = null;
        }
      } catch (IOException | RuntimeException e) {
        failure = e;
      } finally {
        DataBufferUtils.release(buffer);
        if (out != null) {
          DataBufferUtils.release(out);
        }
      }
    }
    drain();
  }

  @Override
  public void onError(Throwable t) {
    synchronized (lock) {
      upstreamDone = true;
      upstreamError = t;
    }
    drain();
  }

  @Override
  public void onComplete() {
    synchronized (lock) {
      upstreamDone = true;
    }
    drain();
  }

  // ---- from the core (its timer and store threads)

  @Override
  public void execute(Runnable task) {
    synchronized (lock) { // briefly: tasks and application buffers only transform bytes under it
      if (ended || failure != null) {
        return;
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    drainLater();
  }

  @Override
  public void write(byte[] bytes) throws IOException {
    synchronized (lock) {
      if (ended || failure != null) {
        throw new IOException("the stream has ended");
      }
      if (ownQueued >= MAX_OWN_UNSENT) { // the client is not reading
        throw new IOException("the client is not reading");
      }
      queue.add(new Pending(factory.wrap(bytes.clone()), true));
      ownQueued++;
    }
  }

  @Override
  public void end(Reason reason) {
    synchronized (lock) {
      ended = true;
    }
    drainLater(); // also when called from a task, under the lock: nothing is signalled under it
  }

  // ----

  /** How many of sse-auth's own writes wait unsent; for tests. */
  int ownQueuedForTests() {
    synchronized (lock) {
      return ownQueued;
    }
  }

  private void drainLater() {
    Schedulers.parallel().schedule(this::drain);
  }

  /** Releases every buffer not yet sent. Under the lock. */
  private void clear() {
    for (Pending p; (p = queue.poll()) != null; ) {
      DataBufferUtils.release(p.buffer());
    }
    ownQueued = 0;
  }

  /**
   * Sends what the server asked for and is ready, requests the next application buffer, or ends: the only
   * place that signals, one thread at a time, never under the lock.
   */
  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    for (;;) {
      Subscriber<? super DataBuffer> actual = downstream;
      for (;;) {
        DataBuffer next = null;
        Subscription requestUp = null;
        Subscription cancelUp = null;
        LiveStream close = null;
        Throwable error = null;
        boolean complete = false;
        synchronized (lock) {
          if (actual == null) {
            break;
          }
          if (failure != null || ended) {
            // the end: release what waits, cancel the application's body, tell the server (unless it left)
            clear();
            if (!upstreamCancelled && !upstreamDone && upstream != null) {
              upstreamCancelled = true;
              cancelUp = upstream;
            }
            if (!terminated) {
              terminated = true;
              close = live;
              error = cancelled ? null : failure;
              complete = !cancelled && error == null;
            }
          } else if (!queue.isEmpty()) {
            long r = requested.get();
            if (r > 0) {
              Pending p = queue.poll();
              if (p.own()) {
                ownQueued--;
              }
              next = p.buffer();
              if (r != Long.MAX_VALUE) {
                requested.decrementAndGet();
              }
            }
          } else if (upstreamDone) {
            ended = true;
            terminated = true;
            close = live;
            error = upstreamError;
            complete = error == null;
          } else if (upstream != null && !upstreamRequested && requested.get() > 0) {
            upstreamRequested = true;
            requestUp = upstream;
          }
        }
        if (next != null) {
          actual.onNext(next);
          continue;
        }
        if (requestUp != null) {
          requestUp.request(1);
          continue;
        }
        if (cancelUp != null) {
          cancelUp.cancel();
        }
        if (close != null) {
          close.close();
        }
        if (error != null) {
          actual.onError(error);
        } else if (complete) {
          actual.onComplete();
        }
        break;
      }
      missed = wip.addAndGet(-missed);
      if (missed == 0) {
        return;
      }
    }
  }
}
