package dev.sseauth.benchmarks.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived SSE stream of the load client, kept open the way {@code EventSource} keeps it: when the
 * connection ends or fails it reconnects after the stream's reconnection time (the last {@code retry:}
 * the server sent, {@link #DEFAULT_RETRY_MS} until then), with {@code Last-Event-ID} set to the last id
 * it saw (as browsers do, the id persists across connections until the server sends another). A first
 * sse-auth connection redeems a ticket ({@code POST /sse/ticket} with the bearer token, then
 * {@code ?slt=}); later ones carry the token in {@code Last-Event-ID} only. Unlike a browser it also
 * retries after a non-200 answer (counted as a failure), so a storm always ends.
 *
 * <p>Thread-safe: callbacks arrive on the HTTP client's threads and the scheduler.
 */
final class HeldStream {
  /** The reconnection time before the server has sent a {@code retry:} field. */
  static final long DEFAULT_RETRY_MS = 1000;

  /** What the streams of one client share. */
  record Shared(HttpClient http, String base, Variant variant, ScheduledExecutorService scheduler, Listener listener) {}

  /** Told about every stream's progress. */
  interface Listener {
    /** The first application event of connection {@code attempt} (1 for the first) of {@code stream}. */
    void appEvent(HeldStream stream, int attempt);

    /** Connection {@code attempt} of {@code stream} ended without any application event (refused, failed). */
    void failed(HeldStream stream, int attempt, Throwable cause);
  }

  private final Shared shared;
  private final String accessToken;
  private final int index;
  private volatile String lastEventId;
  private volatile long retryMs = DEFAULT_RETRY_MS;
  private volatile boolean closed;
  private int attempt; // guarded by this

  HeldStream(Shared shared, int index) {
    this.shared = shared;
    this.index = index;
    this.accessToken = Wire.accessToken("held-" + index + "@example.com");
  }

  int index() {
    return index;
  }

  /** The number of the current (or last) connection attempt, 0 before the first. */
  synchronized int attempt() {
    return attempt;
  }

  /** Opens the next connection now. */
  void connect() {
    int a;
    synchronized (this) {
      if (closed) {
        return;
      }
      a = ++attempt;
    }
    String id = lastEventId;
    CompletableFuture<String> query;
    if (shared.variant() == Variant.SSEAUTH && id == null) {
      query = shared.http().sendAsync(HttpRequest.newBuilder(URI.create(shared.base() + "/sse/ticket"))
              .header("Authorization", "Bearer " + accessToken)
              .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
          .thenApply(t -> {
            LoadClient.require(t.statusCode() == 200, "ticket request answered " + t.statusCode());
            return "&slt=" + LoadClient.json(t.body()).get("ticket");
          });
    } else if (shared.variant() == Variant.JWT_QUERY) {
      query = CompletableFuture.completedFuture("&access_token=" + accessToken);
    } else {
      query = CompletableFuture.completedFuture("");
    }
    Parser parser = new Parser(a);
    query.thenCompose(q -> {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(shared.base() + "/events?n=1&hold=1" + q)).GET();
      if (id != null && !id.isEmpty()) {
        b.header("Last-Event-ID", id);
      }
      return shared.http().sendAsync(b.build(), info -> info.statusCode() == 200
          ? HttpResponse.BodySubscribers.fromSubscriber(parser)
          : HttpResponse.BodySubscribers.replacing(null));
    }).whenComplete((r, e) -> ended(parser, r == null ? -1 : r.statusCode(), e));
  }

  /** Stops reconnecting (the open connection, if any, is left to the process's exit). */
  void close() {
    closed = true;
  }

  private void ended(Parser parser, int status, Throwable e) {
    if (closed) {
      return;
    }
    if (!parser.sawAppEvent) {
      shared.listener().failed(this, parser.attempt,
          e != null ? e : new IOException(status == 200 ? "stream ended before its first event" : "stream answered " + status));
    }
    shared.scheduler().schedule(this::connect, retryMs, TimeUnit.MILLISECONDS);
  }

  /**
   * The {@code text/event-stream} parser of one connection (WHATWG HTML, "Event stream interpretation"):
   * lines end in CR, LF or CRLF; {@code id} (without NUL) and {@code retry} (digits only) are honoured; a
   * blank line dispatches: the last event ID becomes the id buffer, and an event whose data starts with
   * the application's marker counts as an application event.
   */
  final class Parser implements Flow.Subscriber<List<ByteBuffer>> {
    private static final byte[] APP = Wire.APP_DATA.substring("data: ".length()).getBytes(StandardCharsets.US_ASCII);
    final int attempt;
    volatile boolean sawAppEvent;
    private final byte[] line = new byte[4096];
    private int len;
    private boolean overlong;
    private boolean afterCr;
    private boolean data;
    private boolean appData;
    private String idBuffer = lastEventId;

    Parser(int attempt) {
      this.attempt = attempt;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      for (ByteBuffer b : items) {
        while (b.hasRemaining()) {
          byte c = b.get();
          if (c == '\n' && afterCr) {
            afterCr = false;
            continue;
          }
          afterCr = c == '\r';
          if (c == '\n' || c == '\r') {
            line();
            len = 0;
            overlong = false;
          } else if (len < line.length) {
            line[len++] = c;
          } else {
            overlong = true;
          }
        }
      }
    }

    private void line() {
      if (len == 0) {
        dispatch();
        return;
      }
      if (overlong || line[0] == ':') {
        return;
      }
      int colon = 0;
      while (colon < len && line[colon] != ':') {
        colon++;
      }
      String field = new String(line, 0, colon, StandardCharsets.US_ASCII);
      int v = colon < len ? colon + 1 : len;
      if (v < len && line[v] == ' ') {
        v++;
      }
      switch (field) {
        case "data" -> {
          if (!data) {
            appData = startsWith(v, APP);
          }
          data = true;
        }
        case "id" -> {
          String id = new String(line, v, len - v, StandardCharsets.UTF_8);
          if (id.indexOf('\0') < 0) {
            idBuffer = id;
          }
        }
        case "retry" -> {
          if (v < len && allDigits(v) && len - v < 10) {
            retryMs = Long.parseLong(new String(line, v, len - v, StandardCharsets.US_ASCII));
          }
        }
        default -> { }
      }
    }

    private boolean startsWith(int from, byte[] prefix) {
      if (len - from < prefix.length) {
        return false;
      }
      for (int i = 0; i < prefix.length; i++) {
        if (line[from + i] != prefix[i]) {
          return false;
        }
      }
      return true;
    }

    private boolean allDigits(int from) {
      for (int i = from; i < len; i++) {
        if (line[i] < '0' || line[i] > '9') {
          return false;
        }
      }
      return true;
    }

    private void dispatch() {
      lastEventId = idBuffer;
      boolean app = data && appData;
      data = false;
      appData = false;
      if (app) {
        boolean first = !sawAppEvent;
        sawAppEvent = true;
        if (first) {
          shared.listener().appEvent(HeldStream.this, attempt);
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      // the connection ended: HeldStream.ended runs when the response completes
    }

    @Override
    public void onComplete() {
      // as onError
    }
  }
}
