package dev.sseauth.servlet.internal;

import dev.sseauth.Reason;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.LiveStream;
import dev.sseauth.adapter.StreamOutput;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.System.Logger.Level;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The serialised writer of one guarded event stream, and the {@link StreamOutput} the core writes through.
 * Every byte, the application's ({@link #appWrite}) and the core's ({@link #write}, from the tasks handed
 * to {@link #execute}), goes to the container's output under one lock. The stream starts at the first of
 * them: the response's stream headers are applied ({@link Start#open()}), the handshake goes out and is
 * flushed, and the core's {@link LiveStream} opens; each application write then passes through it.
 *
 * <p>Ending never waits on the client. A write to a client that stopped reading blocks while it holds the
 * lock (until the container's idle timeout, if there is one), so nothing sse-auth does waits for the lock:
 * {@link #end} marks the stream ended at once (every write that has not yet passed its check fails, without
 * waiting for the lock) and the core's tasks are queued; the pending work is then done by whichever thread
 * holds or next takes the lock, so the response is completed or closed only when no write is in progress.
 * A thread that releases the lock does the pending work itself ({@link #unlock}), and a thread of the
 * filter's executor ({@link #newExecutor()}) does it when the lock is free (the application is idle); that
 * thread may in turn block on a stalled client, but a response occupies at most one, and the executor has
 * no bound that others could wait behind. The application's own {@code AsyncContext.complete()}
 * ({@link #appComplete}) takes the same path. No write begins after the end but one that had already
 * passed its check.
 *
 * <p>Thread-safe: async applications write from any thread.
 */
final class SerialOutput implements StreamOutput {
  private static final Logger LOG = System.getLogger("dev.sseauth.servlet");
  private static final int SCRATCH_KEEP = 64 * 1024;
  /**
   * Where a write is rewritten before it goes to the container in one piece: one per thread, not per
   * stream (a held stream costs no buffer). Used only within {@link #appWrite}, never re-entered. A JDK
   * type, so it pins no class loader on redeploy.
   */
  private static final ThreadLocal<ByteArrayOutputStream> SCRATCH =
      ThreadLocal.withInitial(() -> new ByteArrayOutputStream(512));

  /** The response's side of the stream start. */
  @FunctionalInterface
  interface Start {
    /**
     * Applies the stream's headers and returns the container's output stream. Called once, under the
     * output's lock, before the handshake.
     */
    ServletOutputStream open() throws IOException;
  }

  private Allowed allowed; // until the stream starts (guarded by lock): a held stream keeps no handshake
  private final Executor executor;
  private final Start start;
  private final ReentrantLock lock = new ReentrantLock();
  private static final VarHandle TASKS;

  static {
    try {
      TASKS = MethodHandles.lookup().findVarHandle(SerialOutput.class, "tasks", Queue.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // the core's tasks, run under the lock; created at the first (most held streams never get one)
  private volatile Queue<Runnable> tasks;

  private volatile AsyncContext async; // the container's: how an ended async response finishes
  private volatile boolean started; // written under the lock
  private volatile boolean ended; // no byte more: the core ended it, the app closed it, or it completed
  private volatile boolean settled; // nothing left for this output to do to end the response
  private volatile Reason endReason;
  private volatile LiveStream live; // written under the lock; read without it by abandon()
  // guarded by lock
  private ServletOutputStream rawOut;
  private Runnable closeConnection; // a synchronous stream's, where the container allows it; else null

  /**
   * @param executor runs the pending work when no application thread does; see {@link #newExecutor()}
   * @param start applies the stream headers and gives the container's output, at the stream's start
   */
  SerialOutput(Allowed allowed, Executor executor, Start start) {
    this.allowed = allowed;
    this.executor = executor;
    this.start = start;
  }

  /**
   * The executor that the streams of one filter share. Unbounded, on purpose: a task may block writing to
   * a client that stopped reading (a rotation, or closing a synchronous stream, while its application is
   * idle), and with a bound every other stream's rotation and end would queue behind such clients. A
   * stream occupies at most one of its threads at a time, since its work never waits for its lock; idle
   * threads end after 30 s. Shut it down when the filter stops.
   */
  static ExecutorService newExecutor() {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "sse-auth-servlet-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** From now on an end completes {@code ac} instead of closing the output (the application went async). */
  void finishBy(AsyncContext ac) {
    async = ac;
  }

  /**
   * How to close the connection when sse-auth ends this synchronous stream while its application holds
   * the request thread; null if it need not or cannot. Called by the response as the stream starts,
   * under the lock.
   */
  void closeConnectionBy(Runnable closer) {
    closeConnection = closer;
  }

  /** Whether the stream has started (its headers and handshake are out). */
  boolean started() {
    return started;
  }

  // ---- the application's side ----

  /** Writes application bytes through the live stream, starting the stream first if needed. */
  void appWrite(byte[] b, int off, int len) throws IOException {
    checkOpen();
    lock.lock();
    try {
      openLocked();
      ByteArrayOutputStream s = SCRATCH.get();
      s.reset();
      try {
        live.write(b, off, len, s);
        s.writeTo(rawOut); // one write per application write (also fine for non-blocking output)
      } catch (IOException e) {
        live.close(); // the client is gone
        throw e;
      } finally {
        if (s.size() > SCRATCH_KEEP) {
          SCRATCH.remove(); // keep no big buffer on a pooled thread
        }
      }
    } finally {
      unlock();
    }
  }

  /** Flushes to the client, starting the stream first if needed. */
  void appFlush() throws IOException {
    checkOpen();
    lock.lock();
    try {
      openLocked();
      rawOut.flush();
    } finally {
      unlock();
    }
  }

  /** The application closed its output: the stream ends (starting it first if needed). */
  void appClose() throws IOException {
    if (ended) {
      return;
    }
    lock.lock();
    try {
      if (ended) {
        return; // the end is the pending work unlock() does, or already done
      }
      startLocked();
      if (ended) {
        return;
      }
      ended = true;
      settled = true;
      live.close();
      rawOut.close();
    } finally {
      unlock();
    }
  }

  /**
   * The application completes its async cycle. If {@code stream}, the stream starts first unless it has
   * (its handshake goes out even when the application wrote nothing).
   *
   * @return false if nothing of this output's is in flight any more (a listener completing after a timeout
   *     or error): the caller completes the container's cycle itself; true if the stream ends now and the
   *     container's {@code complete()} follows the write in progress, if any, like the core's own end
   */
  boolean appComplete(boolean stream) {
    if (settled) {
      return false;
    }
    if (stream && !started && !ended) {
      try {
        startNow();
      } catch (IOException e) {
        // the client is gone: the end below completes the cycle all the same
      }
    }
    ended = true;
    drain();
    return true;
  }

  // ---- the filter's side ----

  /**
   * Starts the stream now unless it has ended, and sends its handshake: an async application declared an
   * event stream, and its client must hold its session token before the application's first event.
   */
  void startNow() throws IOException {
    lock.lock();
    try {
      if (!ended) {
        startLocked();
        flushLocked();
      }
    } finally {
      unlock();
    }
  }

  /**
   * A synchronous response is over: if {@code stream} and it has not ended, the stream starts (the
   * handshake goes out if the application wrote nothing) and is flushed; then it ends and the container
   * finishes the response. Waits for the lock even behind a write to a client that stopped reading: the
   * container must not finish the response while sse-auth still writes to it. Only this stream's own
   * thread waits.
   */
  void endSync(boolean stream) throws IOException {
    lock.lock();
    try {
      if (stream && !ended) {
        startLocked();
        flushLocked();
      }
    } finally {
      ended = true;
      settled = true; // the container finishes the response now
      LiveStream l = live;
      if (l != null) {
        l.close();
      }
      unlock();
    }
  }

  /**
   * Called when the chain threw, when the async cycle is over, or when the filter stops: stop tracking,
   * write nothing more, leave the response to the container. Lock-free.
   */
  void abandon() {
    ended = true;
    settled = true;
    clearTasks();
    LiveStream l = live; // a racy read: at worst the core's own end already closed it
    if (l != null) {
      l.close();
    }
  }

  // ---- the stream's start ----

  /** Starts the stream and checks it is still open. Call under the lock. */
  private void openLocked() throws IOException {
    checkOpen();
    startLocked();
    checkOpen(); // the core ends a stream at its opening if its session was revoked meanwhile
  }

  /**
   * Applies the stream headers, writes the handshake and opens the live stream, once. Call under the lock.
   * The handshake is not flushed of its own: it leaves with the application's first bytes, at the
   * application's flush (one packet where a flush of its own would send two).
   */
  private void startLocked() throws IOException {
    if (started) {
      return;
    }
    started = true;
    rawOut = start.open();
    byte[] hs = allowed.handshake();
    try {
      if (hs.length > 0) {
        rawOut.write(hs);
      }
    } catch (IOException e) {
      ended = true; // the client is gone: no stream to track, every later write refused
      throw e;
    }
    live = allowed.open(this);
    allowed = null;
    if (ended) {
      live.close(); // abandoned meanwhile (it read no live stream yet): nothing may keep tracking it
    }
  }

  /** Flushes the started stream unless it has ended. Call under the lock. */
  private void flushLocked() throws IOException {
    if (ended) {
      return;
    }
    try {
      rawOut.flush();
    } catch (IOException e) {
      live.close(); // the client is gone
      throw e;
    }
  }

  /** Throws if the stream has ended. Lock-free: an ended stream refuses even while a stalled write holds the lock. */
  private void checkOpen() throws IOException {
    if (ended) {
      Reason r = endReason;
      throw new IOException(r == null ? "the event stream has ended" : "the event stream has ended: " + r.message());
    }
  }

  // ---- the lock's pending work ----

  /** Releases the lock; a thread that no longer holds it then does the work left pending meanwhile. */
  private void unlock() {
    lock.unlock();
    if (!lock.isHeldByCurrentThread()) {
      drain();
    }
  }

  /**
   * Does the pending work (the core's tasks, or ending the response) if the lock is free, and never
   * waits for it: a holder does the work itself when it releases the lock. Every release of the lock
   * goes through here, after the release, so work queued while the lock was held is never stranded.
   */
  private void drain() {
    if (lock.isHeldByCurrentThread()) {
      return; // its outermost unlock() drains
    }
    while (hasWork() && lock.tryLock()) {
      try {
        workLocked();
      } finally {
        lock.unlock();
      }
    }
  }

  /** The end, or tasks once the stream has started (a task queued earlier waits for the start). */
  private boolean hasWork() {
    Queue<Runnable> q = tasks;
    return ended ? !settled : started && q != null && !q.isEmpty();
  }

  private void workLocked() {
    if (ended) {
      clearTasks();
      if (!settled) {
        settled = true;
        finishLocked();
      }
      return;
    }
    Queue<Runnable> q = tasks;
    for (Runnable task; q != null && !ended && started && (task = q.poll()) != null; ) {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "sse-auth stream task failed: {0}", e.getClass().getName());
      }
    }
  }

  /**
   * Ends a response that the core or the application ended, once no write is in progress: an async one
   * completes; a synchronous one's output closes, so the client sees the end at once, and its connection
   * is closed where the container allows it (else it was sent with {@code Connection: close}): the
   * application's thread may hold the request until its next write fails, and no request may wait on that
   * connection meanwhile.
   */
  private void finishLocked() {
    try {
      AsyncContext ac = async;
      if (ac != null) {
        ac.complete();
      } else if (rawOut != null) {
        rawOut.close();
        Runnable c = closeConnection;
        if (c != null) {
          c.run();
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, "ending an event stream failed: {0}", e.getClass().getName());
    }
  }

  private void clearTasks() {
    Queue<Runnable> q = tasks;
    if (q != null) {
      q.clear();
    }
  }

  private void schedule() {
    try {
      executor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      abandon(); // the filter is shutting down
    }
  }

  // ---- StreamOutput: the core's side ----

  /**
   * Queues {@code task}; it runs under the lock, on a thread of the filter's executor if the lock is
   * free, else on the holder's thread right after its write; a task queued before the stream has started
   * runs right after the start. Never waits.
   */
  @Override
  public void execute(Runnable task) {
    if (ended) {
      return; // an ended stream runs none
    }
    Queue<Runnable> q = tasks;
    if (q == null) {
      TASKS.compareAndSet(this, null, new ConcurrentLinkedQueue<Runnable>());
      q = tasks;
    }
    q.add(task);
    schedule();
  }

  @Override
  public void write(byte[] bytes) throws IOException {
    checkOpen();
    rawOut.write(bytes);
    rawOut.flush();
  }

  /**
   * Ends the stream at once for every later write and returns without waiting; the response itself ends
   * as soon as no write to it is in progress (at once for a stream whose application is idle; after the
   * write for one blocked writing to a client that stopped reading).
   */
  @Override
  public void end(Reason reason) {
    endReason = reason;
    ended = true;
    if (!settled) {
      schedule();
    }
  }
}
