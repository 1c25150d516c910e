package dev.sseauth.servlet.internal;

import dev.sseauth.Allowed;
import dev.sseauth.LiveStream;
import dev.sseauth.Reason;
import dev.sseauth.StreamOutput;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
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
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The response of an allowed stream request. While the application's content type is not
 * {@code text/event-stream} everything passes through untouched. Once it is, the handshake goes out
 * first and every byte the application writes, through {@link #getOutputStream()} or
 * {@link #getWriter()}, passes through the core's {@link LiveStream} under one lock per response,
 * which also serialises the core's own writes (rotation) handed to {@link #execute}.
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
  private final AppStream appStream = new AppStream();
  private final Thread requestThread = Thread.currentThread();

  private volatile Mode mode = Mode.UNDECIDED;
  private volatile AsyncContext async;
  private volatile boolean ended; // the response is over: the core ended it, the app closed it, or it completed
  private volatile Reason endReason;
  // guarded by lock
  private Use use = Use.NONE;
  private PrintWriter appWriter;
  private String heldContentLength; // applied only if the response turns out not to be an event stream
  private boolean started;
  private ServletOutputStream rawOut;
  private LiveStream live;
  private ByteArrayOutputStream scratch = new ByteArrayOutputStream(512);

  public SseResponse(HttpServletResponse raw, Allowed allowed, Executor executor) {
    super(raw);
    this.raw = raw;
    this.allowed = allowed;
    this.executor = executor;
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
      lock.unlock();
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

  private void checkOpenLocked() throws IOException {
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
    lock.lock();
    try {
      checkOpenLocked();
      startLocked();
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
      lock.unlock();
    }
  }

  void appFlush() throws IOException {
    if (mode() == Mode.PASS) {
      raw.getOutputStream().flush();
      return;
    }
    lock.lock();
    try {
      checkOpenLocked();
      startLocked();
      rawOut.flush();
    } finally {
      lock.unlock();
    }
  }

  void appClose() throws IOException {
    if (mode() == Mode.PASS) {
      raw.getOutputStream().close();
      return;
    }
    lock.lock();
    try {
      if (ended) {
        return;
      }
      startLocked();
      ended = true;
      live.close();
      rawOut.close();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    lock.lock();
    try {
      if (use == Use.WRITER) {
        throw new IllegalStateException("getWriter() has already been called for this response");
      }
      use = Use.STREAM;
      return appStream;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    lock.lock();
    try {
      if (use == Use.STREAM) {
        throw new IllegalStateException("getOutputStream() has already been called for this response");
      }
      if (appWriter == null) {
        use = Use.WRITER;
        appWriter = new PrintWriter(new AppWriter(), false);
      }
      return appWriter;
    } finally {
      lock.unlock();
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
      lock.unlock();
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
      lock.unlock();
    }
  }

  // ---- lifecycle, called by the filter and the async listener ----

  /** Records the application's async start, so the stream can complete it, and tracks its end. */
  void asyncStarted(AsyncContext ac) {
    async = ac;
    ac.addListener(new Listener());
  }

  /**
   * Called when the filter chain returns. A synchronous response is over: the handshake still goes out
   * if it is an event stream that wrote nothing. An async one goes on: its handshake goes out now if the
   * application has already declared an event stream.
   */
  public void afterChain() throws IOException {
    if (async == null) {
      lock.lock();
      try {
        if (!ended && mode() == Mode.SSE) {
          startLocked();
          rawOut.flush();
        }
        ended = true;
      } finally {
        if (live != null) {
          live.close();
        }
        lock.unlock();
      }
    } else if (Responses.isEventStream(raw.getContentType())) {
      lock.lock();
      try {
        if (!ended && mode() == Mode.SSE) {
          startLocked();
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /** Called when the chain threw: stop tracking, write nothing more. */
  public void abandon() {
    ended = true;
    LiveStream l = live;
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

  // ---- StreamOutput: the core's side ----

  @Override
  public void execute(Runnable task) {
    try {
      executor.execute(() -> {
        lock.lock();
        try {
          if (!ended) {
            task.run();
          }
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "sse-auth stream task failed: {0}", e.getClass().getName());
        } finally {
          lock.unlock();
        }
      });
    } catch (RejectedExecutionException e) {
      abandon(); // the filter is shutting down
    }
  }

  @Override
  public void write(byte[] bytes) throws IOException {
    rawOut.write(bytes);
    rawOut.flush();
  }

  @Override
  public void end(Reason reason) {
    endReason = reason;
    try {
      executor.execute(() -> {
        lock.lock();
        try {
          if (ended) {
            return;
          }
          ended = true;
          AsyncContext ac = async;
          if (ac != null) {
            ac.complete();
          } else if (rawOut != null) {
            rawOut.close(); // the synchronous application's next write fails
          }
        } catch (IOException | RuntimeException e) {
          LOG.log(Level.DEBUG, "ending an event stream failed: {0}", e.getClass().getName());
        } finally {
          lock.unlock();
        }
      });
    } catch (RejectedExecutionException e) {
      abandon();
    }
  }

  // ---- the application-facing stream and writer ----

  private final class AppStream extends ServletOutputStream {
    private final byte[] one = new byte[1];

    @Override
    public void write(int b) throws IOException {
      lock.lock();
      try {
        one[0] = (byte) b;
        appWrite(one, 0, 1);
      } finally {
        lock.unlock();
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
