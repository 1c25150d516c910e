package dev.sseauth.servlet.internal;

import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.LiveStream;
import dev.sseauth.Reason;
import dev.sseauth.adapter.StreamOutput;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
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
 * The response of an allowed stream request. While the application's content type is not
 * {@code text/event-stream} everything passes through untouched. Once it is, the handshake goes out
 * first and every byte the application writes, through {@link #getOutputStream()} or
 * {@link #getWriter()}, passes through the core's {@link LiveStream} under one lock per response,
 * which also serialises the core's own writes (rotation) handed to {@link #execute}.
 *
 * <p>Ending never waits on the client. A write to a client that stopped reading blocks while it holds
 * the lock (until the container's idle timeout, if there is one), so nothing sse-auth does waits for the
 * lock: {@link #end} marks the stream ended at once (every write that has not yet passed its check
 * fails, without waiting for the lock) and the core's tasks are queued; the pending work is then done by
 * whichever thread holds or next takes the lock, so the response is completed or closed only when no
 * write is in progress. A thread that releases the lock does the pending work itself
 * ({@link #unlock}), and a thread of the filter's executor does it when the lock is free (the
 * application is idle); that thread may in turn block on a stalled client, but a response occupies at
 * most one, and the executor has no bound that others could wait behind. The application's own
 * {@code AsyncContext.complete()} takes the same path.
 *
 * <p>Thread-safe: async applications write from any thread.
 */
public final class SseResponse extends HttpServletResponseWrapper implements StreamOutput {
  private static final Logger LOG = System.getLogger("dev.sseauth.servlet");
  private static final int SCRATCH_KEEP = 64 * 1024;

  private enum Mode { UNDECIDED, PASS, SSE }

  private enum Use { NONE, STREAM, WRITER }

  private final HttpServletResponse raw;
  private final Allowed allowed;
  private final Executor executor;
  private final ReentrantLock lock = new ReentrantLock();
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>(); // the core's, run under the lock
  private final AppStream appStream = new AppStream();
  private final Object useLock = new Object(); // never held across I/O
  private final Thread requestThread = Thread.currentThread();

  private volatile Mode mode = Mode.UNDECIDED;
  private volatile AsyncContext async; // the container's
  private volatile AppAsyncContext appAsync; // what the application holds
  private volatile boolean ended; // no byte more: the core ended it, the app closed it, or it completed
  private volatile boolean settled; // nothing left for this wrapper to do to end the response
  private volatile Reason endReason;
  // guarded by useLock
  private Use use = Use.NONE;
  private PrintWriter appWriter;
  // guarded by lock
  private String heldContentLength; // applied only if the response turns out not to be an event stream
  private boolean started;
  private ServletOutputStream rawOut;
  private volatile LiveStream live; // written under the lock; read without it by abandon()
  private ByteArrayOutputStream scratch = new ByteArrayOutputStream(512);

  /**
   * @param executor runs the responses' pending work when no application thread does; see
   *     {@link #newExecutor()}
   */
  public SseResponse(HttpServletResponse raw, Allowed allowed, Executor executor) {
    super(raw);
    this.raw = raw;
    this.allowed = allowed;
    this.executor = executor;
  }

  /**
   * The executor that responses of one filter share. Unbounded, on purpose: a task may block writing to
   * a client that stopped reading (a rotation, or closing a synchronous stream, while its application is
   * idle), and with a bound every other stream's rotation and end would queue behind such clients. A
   * response occupies at most one of its threads at a time, since its work never waits for its lock; idle
   * threads end after 30 s. Shut it down when the filter stops.
   */
  public static ExecutorService newExecutor() {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "sse-auth-servlet-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  // ---- mode ----

  /** Resolves the mode from the content type, once, at the application's first byte or flush. */
  private Mode mode() {
    Mode m = mode;
    if (m != Mode.UNDECIDED) {
      return m;
    }
    lock.lock();
    try {
      if (mode == Mode.UNDECIDED) {
        if (Responses.isEventStream(raw.getContentType())) {
          mode = Mode.SSE;
        } else {
          mode = Mode.PASS;
          if (heldContentLength != null) {
            raw.setHeader("Content-Length", heldContentLength);
          }
        }
      }
      return mode;
    } finally {
      unlock();
    }
  }

  /** Writes the handshake and opens the live stream, once. Call under the lock in SSE mode. */
  private void startLocked() throws IOException {
    if (started) {
      return;
    }
    started = true;
    raw.setHeader("Cache-Control", "no-store");
    raw.setContentLengthLong(-1);
    if (async == null && Thread.currentThread() == requestThread) {
      // A synchronous stream that sse-auth ends (revocation, expiry) completes while the application's
      // thread still holds the request; the client must not send its reconnect on this connection.
      raw.setHeader("Connection", "close");
    }
    rawOut = raw.getOutputStream();
    byte[] hs = allowed.handshake();
    if (hs.length > 0) {
      rawOut.write(hs);
    }
    rawOut.flush(); // commits: the client has its session token before any application event
    live = allowed.open(this);
  }

  /** Throws if the stream has ended. Lock-free: an ended stream refuses even while a stalled write holds the lock. */
  private void checkOpen() throws IOException {
    if (ended) {
      Reason r = endReason;
      throw new IOException(r == null ? "the event stream has ended" : "the event stream has ended: " + r.message());
    }
  }

  // ---- the application's writes ----

  void appWrite(byte[] b, int off, int len) throws IOException {
    if (mode() == Mode.PASS) {
      raw.getOutputStream().write(b, off, len);
      return;
    }
    checkOpen();
    lock.lock();
    try {
      checkOpen();
      startLocked();
      checkOpen(); // the core ends a stream at its opening if its session was revoked meanwhile
      ByteArrayOutputStream s = scratch;
      s.reset();
      live.write(b, off, len, s);
      try {
        s.writeTo(rawOut); // one write per application write (also fine for non-blocking output)
      } catch (IOException e) {
        live.close(); // the client is gone
        throw e;
      }
      if (s.size() > SCRATCH_KEEP) {
        scratch = new ByteArrayOutputStream(512);
      }
    } finally {
      unlock();
    }
  }

  void appFlush() throws IOException {
    if (mode() == Mode.PASS) {
      raw.getOutputStream().flush();
      return;
    }
    checkOpen();
    lock.lock();
    try {
      checkOpen();
      startLocked();
      checkOpen();
      rawOut.flush();
    } finally {
      unlock();
    }
  }

  void appClose() throws IOException {
    if (mode() == Mode.PASS) {
      raw.getOutputStream().close();
      return;
    }
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

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    synchronized (useLock) {
      if (use == Use.WRITER) {
        throw new IllegalStateException("getWriter() has already been called for this response");
      }
      use = Use.STREAM;
      return appStream;
    }
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    synchronized (useLock) {
      if (use == Use.STREAM) {
        throw new IllegalStateException("getOutputStream() has already been called for this response");
      }
      if (appWriter == null) {
        use = Use.WRITER;
        appWriter = new PrintWriter(new AppWriter(), false);
      }
      return appWriter;
    }
  }

  @Override
  public void flushBuffer() throws IOException {
    if (mode() == Mode.PASS) {
      raw.flushBuffer();
    } else {
      appFlush();
    }
  }

  @Override
  public void reset() {
    lock.lock();
    try {
      if (started) {
        throw new IllegalStateException("the event stream has started");
      }
      super.reset();
      heldContentLength = null;
      if (mode == Mode.SSE) {
        mode = Mode.UNDECIDED;
      }
    } finally {
      unlock();
    }
  }

  // ---- Content-Length: never on an event stream ----

  @Override
  public void setContentLength(int len) {
    contentLength(len < 0 ? null : String.valueOf(len));
  }

  @Override
  public void setContentLengthLong(long len) {
    contentLength(len < 0 ? null : String.valueOf(len));
  }

  @Override
  public void setHeader(String name, String value) {
    if ("Content-Length".equalsIgnoreCase(name)) {
      contentLength(value);
    } else {
      super.setHeader(name, value);
    }
  }

  @Override
  public void addHeader(String name, String value) {
    if ("Content-Length".equalsIgnoreCase(name)) {
      contentLength(value);
    } else {
      super.addHeader(name, value);
    }
  }

  @Override
  public void setIntHeader(String name, int value) {
    if ("Content-Length".equalsIgnoreCase(name)) {
      contentLength(String.valueOf(value));
    } else {
      super.setIntHeader(name, value);
    }
  }

  @Override
  public void addIntHeader(String name, int value) {
    if ("Content-Length".equalsIgnoreCase(name)) {
      contentLength(String.valueOf(value));
    } else {
      super.addIntHeader(name, value);
    }
  }

  private void contentLength(String value) {
    lock.lock();
    try {
      switch (mode) {
        case PASS -> {
          if (value == null) {
            raw.setContentLengthLong(-1);
          } else {
            raw.setHeader("Content-Length", value);
          }
        }
        case SSE -> { } // an event stream has no length
        default -> heldContentLength = value;
      }
    } finally {
      unlock();
    }
  }

  // ---- lifecycle, called by the filter and the async listener ----

  /**
   * Records the application's async start, so the stream can complete it, and tracks its end.
   *
   * @return the context to hand the application: its {@code complete()} never runs concurrently with a
   *     write of sse-auth's own (see {@link AppAsyncContext})
   */
  AsyncContext asyncStarted(AsyncContext ac) {
    boolean first = async == null;
    async = ac;
    if (first) {
      ac.addListener(new Listener()); // on a later start, onStartAsync has registered it again
      appAsync = new AppAsyncContext();
    }
    return appAsync;
  }

  /** The context handed to the application, or null if it has not started async through sse-auth. */
  AsyncContext appAsyncContext() {
    return appAsync;
  }

  /**
   * Called when the filter chain returns. A synchronous response is over: the handshake still goes out
   * if it is an event stream that wrote nothing. An async one goes on: its handshake goes out now if the
   * application has already declared an event stream.
   */
  public void afterChain() throws IOException {
    if (async == null) {
      // Waits for the lock even behind a write to a client that stopped reading: the container must not
      // finish the response while sse-auth still writes to it. Only this stream's own thread waits.
      lock.lock();
      try {
        if (!ended && mode() == Mode.SSE) {
          startLocked();
          if (!ended) {
            rawOut.flush();
          }
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
    } else if (Responses.isEventStream(raw.getContentType())) {
      lock.lock();
      try {
        if (!ended && mode() == Mode.SSE) {
          startLocked();
        }
      } finally {
        unlock();
      }
    }
  }

  /**
   * The application completes its async cycle. Once nothing of sse-auth's is in flight (a listener
   * completing after a timeout or error) it passes straight on; otherwise the stream ends at once and the
   * container's {@code complete()} follows the write in progress, if any, like the core's own end.
   */
  private void appComplete() {
    if (settled) {
      async.complete();
      return;
    }
    ended = true;
    drain();
  }

  /**
   * Called when the chain threw, when the async cycle is over, or when the filter stops: stop tracking,
   * write nothing more, leave the response to the container. Lock-free.
   */
  public void abandon() {
    ended = true;
    settled = true;
    tasks.clear();
    LiveStream l = live; // a racy read: at worst the core's own end already closed it
    if (l != null) {
      l.close();
    }
  }

  private final class Listener implements AsyncListener {
    @Override
    public void onComplete(AsyncEvent event) {
      abandon();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      abandon();
    }

    @Override
    public void onError(AsyncEvent event) {
      abandon();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      AsyncContext ac = event.getAsyncContext();
      if (ac != null) {
        async = ac;
        ac.addListener(this);
      }
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

  private boolean hasWork() {
    return ended ? !settled : !tasks.isEmpty();
  }

  private void workLocked() {
    if (ended) {
      tasks.clear();
      if (!settled) {
        settled = true;
        finishLocked();
      }
      return;
    }
    for (Runnable task; !ended && (task = tasks.poll()) != null; ) {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "sse-auth stream task failed: {0}", e.getClass().getName());
      }
    }
  }

  /**
   * Ends a response the core ended, once no write is in progress: an async one completes; a synchronous
   * one's output closes (the client sees the end at once; the application's next write fails, and the
   * {@code Connection: close} sent with the handshake sends the reconnect to a fresh connection).
   */
  private void finishLocked() {
    try {
      AsyncContext ac = async;
      if (ac != null) {
        ac.complete();
      } else if (rawOut != null) {
        rawOut.close();
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, "ending an event stream failed: {0}", e.getClass().getName());
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
   * free, else on the holder's thread right after its write. Never waits.
   */
  @Override
  public void execute(Runnable task) {
    if (ended) {
      return; // an ended stream runs none
    }
    tasks.add(task);
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

  // ---- the application-facing stream, writer and async context ----

  /** The container's {@link AsyncContext}, but {@code complete()} is serialised with sse-auth's writes. */
  private final class AppAsyncContext implements AsyncContext {
    @Override
    public void complete() {
      appComplete();
    }

    @Override
    public ServletRequest getRequest() {
      return async.getRequest();
    }

    @Override
    public ServletResponse getResponse() {
      return async.getResponse();
    }

    @Override
    public boolean hasOriginalRequestAndResponse() {
      return async.hasOriginalRequestAndResponse();
    }

    @Override
    public void dispatch() {
      async.dispatch();
    }

    @Override
    public void dispatch(String path) {
      async.dispatch(path);
    }

    @Override
    public void dispatch(ServletContext context, String path) {
      async.dispatch(context, path);
    }

    @Override
    public void start(Runnable run) {
      async.start(run);
    }

    @Override
    public void addListener(AsyncListener listener) {
      async.addListener(listener);
    }

    @Override
    public void addListener(AsyncListener listener, ServletRequest request, ServletResponse response) {
      async.addListener(listener, request, response);
    }

    @Override
    public <T extends AsyncListener> T createListener(Class<T> clazz) throws ServletException {
      return async.createListener(clazz);
    }

    @Override
    public void setTimeout(long timeout) {
      async.setTimeout(timeout);
    }

    @Override
    public long getTimeout() {
      return async.getTimeout();
    }
  }

  private final class AppStream extends ServletOutputStream {
    private final byte[] one = new byte[1];

    @Override
    public void write(int b) throws IOException {
      checkOpen();
      lock.lock();
      try {
        one[0] = (byte) b;
        appWrite(one, 0, 1);
      } finally {
        unlock();
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      if (len > 0) {
        appWrite(b, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      appFlush();
    }

    @Override
    public void close() throws IOException {
      appClose();
    }

    @Override
    public boolean isReady() {
      try {
        return raw.getOutputStream().isReady();
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      try {
        raw.getOutputStream().setWriteListener(listener);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Encodes characters with the response charset (UTF-8 unless the application named one) without
   * buffering, so {@code flush()} reaches the client at once. Passes straight to the container's writer
   * if the response is not an event stream.
   */
  private final class AppWriter extends Writer {
    private Charset charset;
    private char pendingHigh; // a high surrogate whose low half has not arrived yet

    private Charset charset() {
      if (charset == null) {
        String ct = raw.getContentType();
        String enc = raw.getCharacterEncoding();
        charset = StandardCharsets.UTF_8;
        if (ct != null && ct.toLowerCase(java.util.Locale.ROOT).contains("charset=") && enc != null) {
          try {
            charset = Charset.forName(enc);
          } catch (RuntimeException e) {
            charset = StandardCharsets.UTF_8;
          }
        }
      }
      return charset;
    }

    @Override
    public void write(char[] c, int off, int len) throws IOException {
      if (len <= 0) {
        return;
      }
      if (mode() == Mode.PASS) {
        raw.getWriter().write(c, off, len);
        return;
      }
      StringBuilder sb = new StringBuilder(len + 1);
      if (pendingHigh != 0) {
        sb.append(pendingHigh);
        pendingHigh = 0;
      }
      sb.append(c, off, len);
      char last = sb.charAt(sb.length() - 1);
      if (Character.isHighSurrogate(last)) {
        pendingHigh = last;
        sb.setLength(sb.length() - 1);
      }
      if (sb.length() > 0) {
        byte[] bytes = sb.toString().getBytes(charset());
        appWrite(bytes, 0, bytes.length);
      }
    }

    @Override
    public void flush() throws IOException {
      if (mode() == Mode.PASS) {
        raw.getWriter().flush();
      } else {
        appFlush();
      }
    }

    @Override
    public void close() throws IOException {
      if (mode() == Mode.PASS) {
        raw.getWriter().close();
      } else {
        appClose();
      }
    }
  }
}
