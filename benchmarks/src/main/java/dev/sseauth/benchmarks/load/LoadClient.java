package dev.sseauth.benchmarks.load;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load-test client process ({@code java.net.http}, HTTP/1.1, bounded concurrency). It prints one
 * {@code RESULT <json>} line per measurement.
 *
 * <pre>
 * LoadClient throughput &lt;port&gt; &lt;variant&gt; &lt;concurrency&gt; &lt;warmupMs&gt; &lt;measureMs&gt; &lt;streams&gt; &lt;eventsPerStream&gt;
 * LoadClient heap &lt;port&gt; &lt;variant&gt; &lt;streams&gt; &lt;timeoutMs&gt;
 * </pre>
 *
 * <p>throughput: reconnects/s (GET with {@code Last-Event-ID}, one event), first connects/s (for
 * sse-auth the ticket request plus the stream with {@code ?slt=}), events/s over {@code streams}
 * concurrent streams. heap: holds {@code streams} streams open and reports the server's used heap
 * before and after.
 */
public final class LoadClient {
  /** Completions a rate needs at least, however long that takes (up to 30 s more). */
  private static final int MIN_OPS = 5;
  private final String base;
  private final Variant variant;
  private final HttpClient http;

  private LoadClient(int port, Variant variant, int threads) {
    this.base = "http://127.0.0.1:" + port;
    this.variant = variant;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .executor(Executors.newFixedThreadPool(threads, r -> {
          Thread t = new Thread(r, "http");
          t.setDaemon(true);
          return t;
        }))
        .build();
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int port = Integer.parseInt(args[1]);
    Variant variant = Variant.valueOf(args[2].toUpperCase(Locale.ROOT));
    if (mode.equals("throughput")) {
      int concurrency = Integer.parseInt(args[3]);
      long warmup = Long.parseLong(args[4]);
      long measure = Long.parseLong(args[5]);
      int streams = Integer.parseInt(args[6]);
      int events = Integer.parseInt(args[7]);
      LoadClient c = new LoadClient(port, variant, 4);
      // warm both JVMs on every path first, so the first scenario measured is not the coldest
      c.rate(concurrency, warmup, 1, c::reconnect);
      c.rate(concurrency, warmup, 1, c::firstConnect);
      c.events(streams, Math.max(1, events / 5));
      c.emit("reconnect", c.rate(concurrency, warmup, measure, c::reconnect));
      c.emit("first", c.rate(concurrency, warmup, measure, c::firstConnect));
      c.events(streams, Math.max(1, events / 5));
      c.emit("events", c.events(streams, events));
    } else if (mode.equals("heap")) {
      int streams = Integer.parseInt(args[3]);
      long timeout = Long.parseLong(args[4]);
      new LoadClient(port, variant, 4).heap(streams, timeout);
    } else {
      throw new IllegalArgumentException("mode must be throughput or heap, but was " + mode);
    }
    System.exit(0);
  }

  private void emit(String name, Map<String, Object> result) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("scenario", name);
    m.put("variant", variant.name());
    m.putAll(result);
    System.out.println("RESULT " + JSONObjectUtils.toJSONString(m));
    System.out.flush();
  }

  // ---- one operation of each kind; each returns normally only on success ----

  @FunctionalInterface
  interface Op {
    void run(Worker w) throws Exception;
  }

  /** Per-worker credentials: the app's access token and, for sse-auth, a session token from a first connect. */
  final class Worker {
    final String subject;
    final String accessToken;
    String lastEventId;

    Worker(int i) throws IOException, InterruptedException {
      subject = "user-" + i + "@example.com";
      accessToken = Wire.accessToken(subject);
      lastEventId = "41";
      if (variant == Variant.SSEAUTH) {
        String body = ticketedStream();
        int at = body.indexOf("\nid: ") + 5;
        lastEventId = body.substring(at, body.indexOf('\n', at)) + "41"; // "<token>_" + the app's id
      }
    }

    /** sse-auth first connect: POST the ticket endpoint with the bearer token, then open the stream with it. */
    String ticketedStream() throws IOException, InterruptedException {
      HttpResponse<String> t = http.send(HttpRequest.newBuilder(URI.create(base + "/sse/ticket"))
          .header("Authorization", "Bearer " + accessToken)
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      require(t.statusCode() == 200, "ticket request answered " + t.statusCode());
      String ticket = json(t.body()).get("ticket").toString();
      return stream("/events?n=1" + ASYNC + "&slt=" + ticket, null);
    }
  }

  private String stream(String pathAndQuery, String lastEventId) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET();
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    require(r.statusCode() == 200, "stream answered " + r.statusCode());
    require(r.body().contains(Wire.APP_DATA), "stream delivered no application event");
    return r.body();
  }

  /** {@code -Dbench.async=true}: ask the Jetty application to stream inside an AsyncContext. */
  private static final String ASYNC = Boolean.getBoolean("bench.async") ? "&async=1" : "";

  private String streamPath(Worker w, int events) {
    return "/events?n=" + events + ASYNC + (variant == Variant.JWT_QUERY ? "&access_token=" + w.accessToken : "");
  }

  private void reconnect(Worker w) throws Exception {
    stream(streamPath(w, 1), w.lastEventId);
  }

  private void firstConnect(Worker w) throws Exception {
    if (variant == Variant.SSEAUTH) {
      w.ticketedStream();
    } else {
      stream(streamPath(w, 1), null);
    }
  }

  // ---- measurements ----

  /** Operations per second over {@code measureMs} after {@code warmupMs}, with {@code concurrency} workers. */
  private Map<String, Object> rate(int concurrency, long warmupMs, long measureMs, Op op) throws Exception {
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      workers.add(new Worker(i));
    }
    long start = System.nanoTime();
    long from = start + TimeUnit.MILLISECONDS.toNanos(warmupMs);
    long until = from + TimeUnit.MILLISECONDS.toNanos(measureMs);
    long cap = until + TimeUnit.SECONDS.toNanos(30); // a window too short for a cold JVM grows up to this
    AtomicLong done = new AtomicLong();
    AtomicLong lastEnd = new AtomicLong(until);
    AtomicLong errors = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    List<Future<?>> futures = new ArrayList<>();
    for (Worker w : workers) {
      futures.add(pool.submit(() -> {
        while (true) {
          long now = System.nanoTime();
          if (now >= until && (done.get() >= MIN_OPS || now >= cap)) {
            break;
          }
          try {
            op.run(w);
            long end = System.nanoTime();
            if (end >= from) { // completions from the end of the warm-up on
              done.incrementAndGet();
              lastEnd.accumulateAndGet(end, Math::max);
            }
          } catch (Exception e) {
            if (errors.incrementAndGet() <= 3) {
              System.err.println("operation failed: " + e);
            }
          }
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get(warmupMs + measureMs + 90_000, TimeUnit.MILLISECONDS);
    }
    pool.shutdown();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rate", done.get() * 1e9 / (lastEnd.get() - from));
    m.put("ops", done.get());
    m.put("errors", errors.get());
    return m;
  }

  /** Events per second delivered over {@code streams} concurrent streams of {@code events} events each. */
  private Map<String, Object> events(int streams, int events) throws Exception {
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      workers.add(new Worker(1000 + i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(streams);
    AtomicLong received = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<Future<?>> futures = new ArrayList<>();
    long start = System.nanoTime();
    for (Worker w : workers) {
      futures.add(pool.submit(() -> {
        try {
          HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + streamPath(w, events))).GET();
          if (variant == Variant.SSEAUTH) {
            b.header("Last-Event-ID", w.lastEventId);
          }
          HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
          try (InputStream in = r.body()) {
            require(r.statusCode() == 200, "stream answered " + r.statusCode());
            received.addAndGet(countEvents(in));
          }
        } catch (Exception e) {
          if (errors.incrementAndGet() <= 3) {
            System.err.println("stream failed: " + e);
          }
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get(10, TimeUnit.MINUTES);
    }
    long elapsed = System.nanoTime() - start;
    pool.shutdown();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rate", received.get() * 1e9 / elapsed);
    m.put("events", received.get());
    m.put("expected", (long) streams * events);
    m.put("errors", errors.get() + (received.get() == (long) streams * events ? 0 : 1));
    return m;
  }

  /** Counts blank-line-terminated blocks ({@code \n\n}) until the end of the body. */
  private static long countEvents(InputStream in) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long n = 0;
    byte prev = 0;
    int r;
    while ((r = in.read(buf)) >= 0) {
      for (int i = 0; i < r; i++) {
        byte c = buf[i];
        if (c == '\n' && prev == '\n') {
          n++;
        }
        prev = c;
      }
    }
    return n;
  }

  /** Holds {@code streams} streams open and reports the server's used heap before and after. */
  private void heap(int streams, long timeoutMs) throws Exception {
    Map<String, Object> before = json(http.send(HttpRequest.newBuilder(URI.create(base + "/admin/heap")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
    Semaphore opening = new Semaphore(128);
    AtomicInteger seen = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    List<CompletableFuture<?>> responses = new ArrayList<>();
    for (int i = 0; i < streams && System.nanoTime() < deadline; i++) {
      if (!opening.tryAcquire(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())), TimeUnit.MILLISECONDS)) {
        break;
      }
      CompletableFuture<Void> firstEvent = new CompletableFuture<>();
      firstEvent.whenComplete((v, e) -> {
        opening.release();
        if (e == null) {
          seen.incrementAndGet();
        } else if (failed.incrementAndGet() <= 3) {
          System.err.println("held stream failed: " + e);
        }
      });
      String subject = "held-" + i + "@example.com";
      CompletableFuture<String> query;
      if (variant == Variant.SSEAUTH) {
        query = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/sse/ticket"))
                .header("Authorization", "Bearer " + Wire.accessToken(subject))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
            .thenApply(t -> {
              require(t.statusCode() == 200, "ticket request answered " + t.statusCode());
              return "&slt=" + json(t.body()).get("ticket");
            });
      } else if (variant == Variant.JWT_QUERY) {
        query = CompletableFuture.completedFuture("&access_token=" + Wire.accessToken(subject));
      } else {
        query = CompletableFuture.completedFuture("");
      }
      CompletableFuture<?> response = query.thenCompose(q -> http.sendAsync(
          HttpRequest.newBuilder(URI.create(base + "/events?n=1&hold=1" + q)).build(),
          info -> {
            if (info.statusCode() != 200) {
              firstEvent.completeExceptionally(new IOException("stream answered " + info.statusCode()));
            }
            return HttpResponse.BodySubscribers.fromSubscriber(new FirstEvent(firstEvent));
          }));
      response.whenComplete((r, e) -> {
        if (e != null) {
          firstEvent.completeExceptionally(e);
        } else {
          firstEvent.completeExceptionally(new IOException("stream ended"));
        }
      });
      responses.add(response);
    }
    while (seen.get() + failed.get() < responses.size() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    Map<String, Object> after = json(http.send(HttpRequest.newBuilder(URI.create(base + "/admin/heap")).build(),
        HttpResponse.BodyHandlers.ofString()).body());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("streams", seen.get());
    m.put("held", after.get("held"));
    m.put("usedBefore", before.get("used"));
    m.put("usedAfter", after.get("used"));
    long delta = ((Number) after.get("used")).longValue() - ((Number) before.get("used")).longValue();
    m.put("bytesPerStream", seen.get() == 0 ? -1.0 : (double) delta / seen.get());
    m.put("errors", (long) failed.get() + (streams - seen.get()));
    emit("heap", m);
  }

  /** Completes {@code seen} when the first application event arrives; keeps reading afterwards. */
  static final class FirstEvent implements Flow.Subscriber<List<ByteBuffer>> {
    private final CompletableFuture<Void> seen;
    private final byte[] marker = Wire.APP_DATA.getBytes(StandardCharsets.US_ASCII);
    private int matched;

    FirstEvent(CompletableFuture<Void> seen) {
      this.seen = seen;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (seen.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        while (b.hasRemaining()) {
          byte c = b.get();
          matched = c == marker[matched] ? matched + 1 : (c == marker[0] ? 1 : 0);
          if (matched == marker.length) {
            seen.complete(null);
            return;
          }
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      seen.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      seen.completeExceptionally(new IOException("stream ended before its first event"));
    }
  }

  static Map<String, Object> json(String s) {
    try {
      return JSONObjectUtils.parse(s);
    } catch (java.text.ParseException e) {
      throw new IllegalStateException("not JSON: " + s.substring(0, Math.min(80, s.length())), e);
    }
  }

  static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalStateException(message);
    }
  }
}
