package dev.sseauth.servlet.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The container's side of one event-stream response, for races no real container lets a test steer: it
 * records what reaches the client and flags every misuse a real container would not survive. Its output
 * is not thread-safe, like a real one: two threads in it at once, a write after it closed or after the
 * async cycle completed, or {@code complete()} during a write is a {@link #violations violation}. A
 * {@link #stall() stalled} output blocks every write, as a client that stopped reading does.
 */
final class FakeContainer {
  final HttpServletResponse response;
  final AsyncContext async;
  final List<String> violations = new CopyOnWriteArrayList<>();
  final Map<String, String> headers = Collections.synchronizedMap(new TreeMap<>(String.CASE_INSENSITIVE_ORDER));
  private final Out out = new Out();
  private final List<AsyncListener> listeners = new CopyOnWriteArrayList<>();
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private final AtomicInteger inUse = new AtomicInteger();
  private final AtomicInteger writesStarted = new AtomicInteger();
  private final AtomicInteger blocked = new AtomicInteger();
  private final AtomicInteger rotations = new AtomicInteger();
  /** How many bytes had been written at each flush, in order. */
  final List<Integer> flushedAt = new CopyOnWriteArrayList<>();
  private final AtomicInteger tasks = new AtomicInteger();
  /** Every header call the response received, in order, as {@code "setHeader Name: value"}. */
  final List<String> headerCalls = new CopyOnWriteArrayList<>();
  volatile int status = 200;
  volatile String contentType = "text/event-stream";
  volatile String encoding = "UTF-8";
  private java.io.PrintWriter writer;
  private volatile CountDownLatch gate;
  private volatile boolean closed;
  private volatile boolean completed;

  FakeContainer() {
    response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {HttpServletResponse.class}, (proxy, m, args) -> switch (m.getName()) {
          case "getContentType" -> contentType;
          case "setContentType" -> {
            contentType = (String) args[0]; // null: none
            int cs = contentType == null ? -1 : contentType.toLowerCase(java.util.Locale.ROOT).indexOf("charset=");
            if (cs >= 0) {
              encoding = contentType.substring(cs + "charset=".length()).trim();
            }
            yield null;
          }
          case "getCharacterEncoding" -> encoding;
          case "getOutputStream" -> out;
          case "getWriter" -> writer();
          case "setHeader", "addHeader", "setIntHeader", "addIntHeader" -> {
            String value = args[1] == null ? null : String.valueOf(args[1]);
            headerCalls.add(m.getName() + " " + args[0] + ": " + value);
            if (value == null) {
              headers.remove((String) args[0]); // Servlet 4.0+: a null value removes the header
            } else {
              headers.put((String) args[0], value);
            }
            yield null;
          }
          case "setContentLength", "setContentLengthLong" -> {
            headerCalls.add(m.getName() + " " + args[0]);
            if (((Number) args[0]).longValue() < 0) {
              headers.remove("Content-Length");
            } else {
              headers.put("Content-Length", String.valueOf(args[0]));
            }
            yield null;
          }
          case "getHeader" -> headers.get((String) args[0]);
          case "containsHeader" -> headers.containsKey((String) args[0]);
          case "setStatus" -> {
            status = (Integer) args[0];
            yield null;
          }
          case "isCommitted" -> writesStarted.get() > 0;
          case "getStatus" -> status;
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> "FakeContainer.response";
          default -> m.getReturnType() == boolean.class ? false : m.getReturnType() == int.class ? 0 : null;
        });
    async = (AsyncContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {AsyncContext.class},
        (proxy, m, args) -> switch (m.getName()) {
          case "complete" -> {
            complete((AsyncContext) proxy);
            yield null;
          }
          case "addListener" -> {
            listeners.add((AsyncListener) args[0]);
            yield null;
          }
          case "getResponse" -> response;
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> "FakeContainer.async";
          default -> m.getReturnType() == boolean.class ? false : m.getReturnType() == long.class ? 0L : null;
        });
  }

  /** The container's own writer, on the same output, in {@link #encoding}. */
  private synchronized java.io.PrintWriter writer() {
    if (writer == null) {
      writer = new java.io.PrintWriter(new java.io.OutputStreamWriter(out, java.nio.charset.Charset.forName(encoding)));
    }
    return writer;
  }

  /** Like a container: a second complete is refused; listeners hear of it on a container thread. */
  private void complete(AsyncContext ac) {
    if (completed) {
      throw new IllegalStateException("the async cycle has completed");
    }
    if (inUse.get() != 0) {
      violations.add("complete() while a write is in progress");
    }
    completed = true;
    Thread t = new Thread(() -> {
      for (AsyncListener l : listeners) {
        try {
          l.onComplete(new AsyncEvent(ac));
        } catch (IOException e) {
          violations.add("onComplete threw " + e);
        }
      }
    }, "fake-container");
    t.setDaemon(true);
    t.start();
  }

  /** From now on every write blocks until {@link #unstall()}: the client stopped reading. */
  void stall() {
    gate = new CountDownLatch(1);
  }

  void unstall() {
    CountDownLatch g = gate;
    gate = null;
    if (g != null) {
      g.countDown();
    }
  }

  /** How many writes are blocked on a stalled client now. */
  int blocked() {
    return blocked.get();
  }

  /** How many rotation events the core has written (one write each). */
  int rotations() {
    return rotations.get();
  }

  /** How many writes began with {@code ": task"}. */
  int tasks() {
    return tasks.get();
  }

  /** How many writes have begun. */
  int writesStarted() {
    return writesStarted.get();
  }

  /** Whether the response is over for the client: its output closed, or its async cycle completed. */
  boolean ended() {
    return closed || completed;
  }

  boolean closed() {
    return closed;
  }

  boolean completed() {
    return completed;
  }

  byte[] receivedBytes() {
    synchronized (received) {
      return received.toByteArray();
    }
  }

  String received() {
    synchronized (received) {
      return received.toString(StandardCharsets.UTF_8);
    }
  }

  private void enter(String what) {
    if (inUse.getAndIncrement() != 0) {
      violations.add("two threads in the output at once (" + what + ")");
    }
    if (closed || completed) {
      violations.add(what + " after the response ended");
    }
  }

  private void exit() {
    inUse.decrementAndGet();
  }

  private final class Out extends ServletOutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      writesStarted.incrementAndGet();
      enter("write");
      try {
        CountDownLatch g = gate;
        if (g != null) {
          blocked.incrementAndGet();
          try {
            if (!g.await(30, TimeUnit.SECONDS)) {
              violations.add("a write stayed blocked for 30 s");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
          } finally {
            blocked.decrementAndGet();
          }
        }
        synchronized (received) {
          received.write(b, off, len);
        }
        String head = new String(b, off, Math.min(len, 21), StandardCharsets.US_ASCII);
        if (head.startsWith("event: sseauth-rotate")) {
          rotations.incrementAndGet();
        } else if (head.startsWith(": task")) {
          tasks.incrementAndGet();
        }
      } finally {
        exit();
      }
    }

    @Override
    public void flush() {
      enter("flush");
      synchronized (received) {
        flushedAt.add(received.size());
      }
      exit();
    }

    @Override
    public void close() {
      enter("close");
      closed = true;
      exit();
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      throw new UnsupportedOperationException();
    }
  }
}
