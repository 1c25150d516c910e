package dev.sseauth.servlet.internal;

import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Reply;
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
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;

/**
 * What the application of an allowed stream request writes to. The response's mode is decided once, at
 * the application's first byte or flush (or when the chain returns): if the core {@linkplain
 * Allowed#rewrites rewrites} it (given its status and content type) it is an event stream, and every byte
 * written through {@link #getOutputStream()} or {@link #getWriter()} goes to the {@link SerialOutput},
 * which starts the stream (the core's {@linkplain Allowed#streamHeaders stream headers}, then the
 * handshake) before the first of them; otherwise everything passes to the container untouched.
 *
 * <p>Until the mode is known, the headers the core removes when a stream starts (those of
 * {@link Allowed#streamHeaders} without a value) are held back, and so is the length set through the
 * servlet API's typed setters ({@link #setContentLength}): nothing has been written yet, so the container
 * need not see them. Once the mode is known they are applied in the order the application set them; on a
 * stream the core's removals follow when it starts, and are applied again after any later such call.
 *
 * <p>Thread-safe: async applications write from any thread. The header lock is never held across I/O.
 */
public final class SseResponse extends HttpServletResponseWrapper {
  private enum Mode { UNDECIDED, PASS, SSE }

  private enum Use { NONE, STREAM, WRITER }

  private final ServletRequest request; // null: no way to close the connection but Connection: close
  private final HttpServletResponse raw;
  private final Thread requestThread = Thread.currentThread();
  private volatile Allowed allowed; // until the stream starts: a held stream keeps no handshake
  private final SerialOutput output;
  private final List<Reply.Header> streamHeaders; // the core's; those without a value it removes
  private final List<Reply.Header> headerDefaults; // the core's, set unless the application did
  private final AppStream appStream = new AppStream();
  private final Object heads = new Object(); // guards mode and held; never held across I/O
  private final Object useLock = new Object(); // never held across I/O

  private volatile Mode mode = Mode.UNDECIDED;
  private volatile AsyncContext async; // the container's
  private volatile AppAsyncContext appAsync; // what the application holds
  // guarded by heads
  private List<Consumer<HttpServletResponse>> held; // created at the first held call
  // guarded by useLock
  private Use use = Use.NONE;
  private PrintWriter appWriter;

  /**
   * Created on the request thread.
   *
   * @param executor runs the stream's pending work when no application thread does; see
   *     {@link #newExecutor()}
   */
  public SseResponse(HttpServletResponse raw, Allowed allowed, Executor executor) {
    this(null, raw, allowed, executor);
  }

  /**
   * As {@link #SseResponse(HttpServletResponse, Allowed, Executor)}, with the request, through which a
   * container that allows it lets sse-auth close the connection (see {@link Connections}).
   */
  public SseResponse(ServletRequest request, HttpServletResponse raw, Allowed allowed, Executor executor) {
    super(raw);
    this.request = request;
    this.raw = raw;
    this.allowed = allowed;
    this.output = new SerialOutput(allowed, executor, this::openStream);
    this.streamHeaders = allowed.streamHeaders(false); // one list shared by every stream: no allocation per stream
    this.headerDefaults = allowed.streamHeaderDefaults();
  }

  /** The executor the responses of one filter share: see {@link SerialOutput#newExecutor()}. */
  public static ExecutorService newExecutor() {
    return SerialOutput.newExecutor();
  }

  /** The stream output this response hands the core. */
  SerialOutput output() {
    return output;
  }

  // ---- mode ----

  /** Whether the response as it stands now is one the core rewrites (before the mode is decided). */
  private boolean declaresStream() {
    Allowed a = allowed;
    return a == null || a.rewrites(raw.getStatus(), raw.getContentType());
  }

  /** Decides the mode once, at the application's first byte or flush, and applies the held headers. */
  private Mode mode() {
    Mode m = mode;
    if (m != Mode.UNDECIDED) {
      return m;
    }
    synchronized (heads) {
      if (mode == Mode.UNDECIDED) {
        mode = declaresStream() ? Mode.SSE : Mode.PASS;
        if (held != null) {
          held.forEach(op -> op.accept(raw));
          held = null;
        }
      }
      return mode;
    }
  }

  /**
   * The stream starts (called once by the output, under its lock): the core's stream headers. The
   * connection stays open for the next request, as it would without sse-auth, but for a synchronous
   * stream (one whose application holds the request thread) on a container that gives sse-auth no way to
   * close the connection itself if it ends the stream while that thread is held ({@link Connections}):
   * that one is sent with {@code Connection: close}, so that the client sends no request on a connection
   * that cannot be read until the application returns.
   */
  private ServletOutputStream openStream() throws IOException {
    boolean synchronous = async == null && Thread.currentThread() == requestThread;
    Runnable closer = synchronous && request != null ? Connections.closer(request) : null;
    output.closeConnectionBy(closer);
    synchronized (heads) {
      apply(synchronous && closer == null ? allowed.streamHeaders(true) : streamHeaders);
    }
    allowed = null; // the mode is decided
    return raw.getOutputStream();
  }

  /** Sets each header with a value and removes each without one; then adds the defaults the application left unset. */
  private void apply(List<Reply.Header> headers) {
    for (Reply.Header h : headers) {
      raw.setHeader(h.name(), h.value()); // a null value removes the header (Servlet 4.0+)
    }
    for (Reply.Header h : headerDefaults) {
      if (!raw.containsHeader(h.name())) {
        raw.setHeader(h.name(), h.value());
      }
    }
  }

  // ---- the headers held back until the mode is known ----

  /** A header call: held if the core removes that header at a stream's start, else applied now. */
  private void header(String name, Consumer<HttpServletResponse> op) {
    if (removed(name)) {
      hold(op);
    } else {
      op.accept(raw);
    }
  }

  /** Whether the core removes the header {@code name} when a stream starts. */
  private boolean removed(String name) {
    for (Reply.Header h : streamHeaders) {
      if (h.value() == null && h.name().equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** Holds {@code op} until the mode is known; on a stream, the core's removals hold after it. */
  private void hold(Consumer<HttpServletResponse> op) {
    synchronized (heads) {
      switch (mode) {
        case UNDECIDED -> {
          if (held == null) {
            held = new ArrayList<>(2);
          }
          held.add(op);
        }
        case PASS -> op.accept(raw);
        case SSE -> {
          op.accept(raw);
          for (Reply.Header h : streamHeaders) {
            if (h.value() == null) {
              raw.setHeader(h.name(), null); // the core's removals hold
            }
          }
        }
      }
    }
  }

  @Override
  public void setContentLength(int len) {
    hold(r -> r.setContentLength(len));
  }

  @Override
  public void setContentLengthLong(long len) {
    hold(r -> r.setContentLengthLong(len));
  }

  @Override
  public void setHeader(String name, String value) {
    header(name, r -> r.setHeader(name, value));
  }

  @Override
  public void addHeader(String name, String value) {
    header(name, r -> r.addHeader(name, value));
  }

  @Override
  public void setIntHeader(String name, int value) {
    header(name, r -> r.setIntHeader(name, value));
  }

  @Override
  public void addIntHeader(String name, int value) {
    header(name, r -> r.addIntHeader(name, value));
  }

  @Override
  public void setDateHeader(String name, long date) {
    header(name, r -> r.setDateHeader(name, date));
  }

  @Override
  public void addDateHeader(String name, long date) {
    header(name, r -> r.addDateHeader(name, date));
  }

  @Override
  public void reset() {
    synchronized (heads) {
      if (output.started()) {
        throw new IllegalStateException("the event stream has started");
      }
      super.reset();
      held = null;
      if (mode == Mode.SSE) {
        mode = Mode.UNDECIDED;
      }
    }
  }

  // ---- the application's output ----

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
      output.appFlush();
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
    async(ac);
    if (first) {
      ac.addListener(new Listener()); // on a later start, onStartAsync has registered it again
      appAsync = new AppAsyncContext();
    }
    return appAsync;
  }

  private void async(AsyncContext ac) {
    async = ac;
    output.finishBy(ac);
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
      output.endSync(mode() == Mode.SSE);
    } else if (declaresStream() && mode() == Mode.SSE) {
      output.startNow();
    }
  }

  /**
   * Called when the chain threw, when the async cycle is over, or when the filter stops: stop tracking,
   * write nothing more, leave the response to the container. Lock-free.
   */
  public void abandon() {
    output.abandon();
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
        async(ac);
        ac.addListener(this);
      }
    }
  }

  /** The container's {@link AsyncContext}, but {@code complete()} is serialised with sse-auth's writes. */
  private final class AppAsyncContext implements AsyncContext {
    @Override
    public void complete() {
      // an event stream completed before anything started it (no byte, no flush, and the request thread
      // may not have left the filter yet) still gets its handshake, as on every other path: the ticket is
      // spent, and the client needs its token to reconnect
      if (!output.appComplete(mode() == Mode.SSE)) {
        async.complete();
      }
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

  /** The application's byte output: to the stream output on an event stream, else to the container. */
  private final class AppStream extends ServletOutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return;
      }
      if (mode() == Mode.PASS) {
        raw.getOutputStream().write(b, off, len);
      } else {
        output.appWrite(b, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      if (mode() == Mode.PASS) {
        raw.getOutputStream().flush();
      } else {
        output.appFlush();
      }
    }

    @Override
    public void close() throws IOException {
      if (mode() == Mode.PASS) {
        raw.getOutputStream().close();
      } else {
        output.appClose();
      }
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
   * The application's text output. On an event stream it encodes with the response charset (UTF-8 unless
   * the application named one) through one {@link CharsetEncoder} for the whole response, without
   * buffering, so {@code flush()} reaches the client at once; input the encoder leaves unconsumed (the
   * first half of a surrogate pair) waits for the next write, and {@code close()} ends the encoder's
   * input. Passes straight to the container's writer if the response is not an event stream. Used
   * through a {@link PrintWriter}, which serialises the calls.
   */
  private final class AppWriter extends Writer {
    private CharsetEncoder encoder;
    private CharBuffer pending = CharBuffer.allocate(0); // unconsumed input, ready to read
    private ByteBuffer bytes = ByteBuffer.allocate(256);
    private boolean closed;

    private CharsetEncoder encoder() {
      if (encoder == null) {
        Charset charset = StandardCharsets.UTF_8;
        String ct = raw.getContentType();
        String enc = raw.getCharacterEncoding();
        if (ct != null && ct.toLowerCase(Locale.ROOT).contains("charset=") && enc != null) {
          try {
            charset = Charset.forName(enc);
          } catch (RuntimeException e) {
            charset = StandardCharsets.UTF_8;
          }
        }
        encoder = charset.newEncoder().onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
      }
      return encoder;
    }

    @Override
    public void write(char[] c, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, c.length);
      if (len == 0) {
        return;
      }
      if (mode() == Mode.PASS) {
        raw.getWriter().write(c, off, len);
        return;
      }
      if (closed) {
        // the encoder has ended its input; PrintWriter turns this into checkError(), as for any write
        // to an ended stream
        throw new IOException("the writer is closed");
      }
      CharBuffer in = CharBuffer.wrap(c, off, len);
      if (pending.hasRemaining()) {
        in = CharBuffer.allocate(pending.remaining() + len).put(pending).put(c, off, len).flip();
      }
      encode(in, false);
      pending = in.hasRemaining() ? CharBuffer.allocate(in.remaining()).put(in).flip() : CharBuffer.allocate(0);
    }

    /** Encodes what {@code in} holds into one application write. */
    private void encode(CharBuffer in, boolean endOfInput) throws IOException {
      CharsetEncoder e = encoder();
      bytes.clear();
      while (true) {
        CoderResult r = e.encode(in, bytes, endOfInput);
        if (r.isUnderflow() && endOfInput) {
          r = e.flush(bytes);
        }
        if (r.isUnderflow()) {
          break;
        }
        if (r.isOverflow()) {
          bytes = ByteBuffer.allocate(bytes.capacity() * 2).put(bytes.flip());
        } else {
          r.throwException(); // not reached: the encoder replaces malformed and unmappable input
        }
      }
      if (bytes.position() > 0) {
        output.appWrite(bytes.array(), 0, bytes.position());
      }
    }

    @Override
    public void flush() throws IOException {
      if (mode() == Mode.PASS) {
        raw.getWriter().flush();
      } else {
        output.appFlush();
      }
    }

    @Override
    public void close() throws IOException {
      if (mode() == Mode.PASS) {
        raw.getWriter().close();
        return;
      }
      if (closed) {
        return;
      }
      closed = true;
      try {
        encode(pending, true); // what is left, and the end of a stateful charset
      } finally {
        pending = CharBuffer.allocate(0);
        output.appClose();
      }
    }
  }
}
