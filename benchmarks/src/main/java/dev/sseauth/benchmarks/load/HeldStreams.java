package dev.sseauth.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thousands of long-lived SSE streams of the load client on one selector thread (non-blocking sockets,
 * HTTP/1.1), each kept open the way {@code EventSource} keeps it: when its connection ends or fails it
 * reconnects after the stream's reconnection time (the last {@code retry:} the server sent,
 * {@link #DEFAULT_RETRY_MS} until then), with {@code Last-Event-ID} set to the last id it saw. A first
 * sse-auth connection asks for a ticket ({@code POST /sse/ticket} with the bearer token, {@code Connection:
 * close}) and then opens the stream with {@code ?slt=} on a new connection; later ones carry the token in
 * {@code Last-Event-ID} only. The ticket has its own connection so that every variant's held stream is the
 * only request its connection has carried: Jetty builds a header cache of about 100 KB on a connection's
 * second request, whatever the application (see the README), which would be charged to sse-auth if the
 * ticket and the stream shared one. Unlike a browser it also
 * retries after a non-200 answer (reported as a failure), so a storm always ends. Light on the client's
 * CPU, so that in a reconnect storm the server sets the pace.
 *
 * <p>Thread-safe: {@link #open} and {@link #close} from any thread; the {@link Listener} is called on the
 * selector thread.
 */
final class HeldStreams implements AutoCloseable {
  /** The reconnection time before the server has sent a {@code retry:} field. */
  static final long DEFAULT_RETRY_MS = 1000;

  /** Told about every stream's progress, on the selector thread. */
  interface Listener {
    /** The first application event of connection {@code attempt} (1 for the first) of {@code stream}. */
    void appEvent(Stream stream, int attempt);

    /** Connection {@code attempt} of {@code stream} ended without any application event (refused, failed). */
    void failed(Stream stream, int attempt, String why);
  }

  /** One stream: its connections come and go, the stream stays. */
  final class Stream {
    private final int index;
    private final String accessToken;
    private final AtomicInteger attempts = new AtomicInteger();
    private volatile String lastEventId;
    private volatile long retryMs = DEFAULT_RETRY_MS;

    private Stream(int index) {
      this.index = index;
      this.accessToken = Wire.accessToken("held-" + index + "@example.com");
    }

    int index() {
      return index;
    }

    /** The number of the current (or last) connection attempt, 0 before the first. */
    int attempt() {
      return attempts.get();
    }
  }

  private record Timer(long deadline, Stream stream) {}

  private final InetSocketAddress address;
  private final String host;
  private final Variant variant;
  private final Listener listener;
  private final Selector selector;
  private final Thread loop;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final PriorityQueue<Timer> timers = new PriorityQueue<>(Comparator.comparingLong(Timer::deadline));
  private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
  private volatile boolean closed;

  HeldStreams(int port, Variant variant, Listener listener) throws IOException {
    this.address = new InetSocketAddress("127.0.0.1", port);
    this.host = "127.0.0.1:" + port;
    this.variant = variant;
    this.listener = listener;
    this.selector = Selector.open();
    this.loop = new Thread(this::loop, "held-streams");
    loop.setDaemon(true);
    loop.start();
  }

  /** Opens stream {@code index} (its first connection starts on the selector thread). */
  Stream open(int index) {
    Stream s = new Stream(index);
    submit(() -> reconnect(s));
    return s;
  }

  private void submit(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    selector.wakeup();
    loop.join(10_000);
    for (SelectionKey k : selector.keys()) {
      try {
        k.channel().close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    try {
      selector.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  // ---- the selector thread ----

  private void loop() {
    while (!closed) {
      try {
        long wait = runDueTimers();
        selector.select(wait);
        for (Runnable t; (t = tasks.poll()) != null; ) {
          t.run();
        }
        for (SelectionKey k : selector.selectedKeys()) {
          handle(k);
        }
        selector.selectedKeys().clear();
      } catch (IOException | RuntimeException e) {
        System.err.println("held streams: " + e);
      }
    }
  }

  /** Runs the timers due; milliseconds until the next one (0: none, select without a time-out). */
  private long runDueTimers() {
    long now = System.nanoTime();
    while (!timers.isEmpty() && timers.peek().deadline() - now <= 0) {
      reconnect(timers.poll().stream());
    }
    if (timers.isEmpty() || !tasks.isEmpty()) {
      return tasks.isEmpty() ? 0 : 1;
    }
    return Math.max(1, (timers.peek().deadline() - now + 999_999) / 1_000_000);
  }

  /** The next connection: with a ticket request first while an sse-auth stream has no token yet. */
  private void reconnect(Stream s) {
    if (closed) {
      return;
    }
    int attempt = s.attempts.incrementAndGet();
    boolean ticket = variant == Variant.SSEAUTH && s.lastEventId == null;
    Conn c = new Conn(s, attempt, ticket ? ticketRequest(s) : streamRequest(s, null));
    open(c);
  }

  private ByteBuffer ticketRequest(Stream s) {
    return ascii("POST /sse/ticket HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + s.accessToken
        + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  }

  private ByteBuffer streamRequest(Stream s, String ticket) {
    StringBuilder req = new StringBuilder(512).append("GET /events?n=1&hold=1");
    if (ticket != null) {
      req.append("&slt=").append(ticket);
    }
    if (variant == Variant.JWT_QUERY) {
      req.append("&access_token=").append(s.accessToken);
    }
    req.append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
    String id = s.lastEventId;
    if (ticket == null && id != null && !id.isEmpty()) {
      req.append("Last-Event-ID: ").append(id).append("\r\n");
    }
    return ascii(req.append("\r\n").toString());
  }

  private static ByteBuffer ascii(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Connects {@code c}'s channel and registers it. */
  private void open(Conn c) {
    try {
      SocketChannel ch = SocketChannel.open();
      c.channel = ch;
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      boolean connected = ch.connect(address);
      c.key = ch.register(selector, connected ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, c);
    } catch (IOException e) {
      ended(c, "connect: " + e);
    }
  }

  private void schedule(Stream s) {
    if (!closed) {
      timers.add(new Timer(System.nanoTime() + s.retryMs * 1_000_000, s));
    }
  }

  private void handle(SelectionKey k) {
    Conn c = (Conn) k.attachment();
    try {
      if (k.isValid() && k.isConnectable() && c.channel.finishConnect()) {
        k.interestOps(SelectionKey.OP_WRITE);
      }
      if (k.isValid() && k.isWritable()) {
        c.channel.write(c.request);
        if (!c.request.hasRemaining()) {
          k.interestOps(SelectionKey.OP_READ);
        }
      }
      if (k.isValid() && k.isReadable()) {
        readBuffer.clear();
        int n = c.channel.read(readBuffer);
        if (n < 0) {
          ended(c, c.headDone ? "connection closed" : "connection closed before the response");
        } else {
          c.feed(readBuffer.array(), 0, n);
        }
      }
    } catch (IOException | RuntimeException e) {
      ended(c, e.toString());
    }
  }

  /** The connection is over: close it, report a failure if it brought no application event, reconnect later. */
  private void ended(Conn c, String why) {
    if (c.done) {
      return;
    }
    c.done = true;
    if (c.key != null) {
      c.key.cancel();
    }
    if (c.channel != null) {
      try {
        c.channel.close();
      } catch (IOException e) {
        // closed anyway
      }
    }
    if (!c.sawApp) {
      listener.failed(c.stream, c.attempt, why);
    }
    schedule(c.stream);
  }

  /**
   * One connection of a stream: for a first sse-auth connection the ticket exchange, then the stream
   * request; the response head, the chunked decoding, the event stream.
   */
  private final class Conn implements SseParser.Events {
    final Stream stream;
    final int attempt;
    ByteBuffer request;
    SocketChannel channel;
    SelectionKey key;
    boolean done;
    boolean sawApp;
    boolean headDone;
    private boolean ticketPhase;
    private final LoadClient.Collect ticketBody = new LoadClient.Collect();
    private SseParser parser;
    private final StringBuilder head = new StringBuilder(256);
    private boolean chunked;
    private boolean closeAfter;
    private long remaining = -1; // bytes left of the current chunk or the body; -1: until the close
    private int chunkState; // 0 size line, 1 data, 2 CRLF after data
    private final StringBuilder sizeLine = new StringBuilder(8);

    Conn(Stream stream, int attempt, ByteBuffer request) {
      this.stream = stream;
      this.attempt = attempt;
      this.request = request;
      this.ticketPhase = variant == Variant.SSEAUTH && stream.lastEventId == null;
      this.parser = new SseParser(stream.lastEventId, this);
    }

    void feed(byte[] b, int off, int n) {
      int i = off;
      int end = off + n;
      while (i < end && !done) {
        if (!headDone) {
          head.append((char) (b[i++] & 0xff));
          int len = head.length();
          if (len >= 4 && head.charAt(len - 1) == '\n' && head.charAt(len - 2) == '\r' && head.charAt(len - 3) == '\n'
              && head.charAt(len - 4) == '\r') {
            headDone = true;
            if (!parseHead()) {
              return;
            }
          }
        } else {
          i = body(b, i, end);
        }
      }
    }

    /** Reads the status and framing; false (and the connection ended) for anything but 200. */
    private boolean parseHead() {
      String[] lines = head.toString().split("\r\n");
      int status = lines[0].length() >= 12 ? Integer.parseInt(lines[0].substring(9, 12)) : -1;
      if (status != 200) {
        ended(this, (ticketPhase ? "ticket request answered " : "stream answered ") + status);
        return false;
      }
      chunked = false;
      closeAfter = ticketPhase || lines[0].startsWith("HTTP/1.0"); // the ticket asked for its own connection
      remaining = -1;
      for (int i = 1; i < lines.length; i++) {
        String h = lines[i].toLowerCase(Locale.ROOT);
        if (h.startsWith("transfer-encoding:") && h.contains("chunked")) {
          chunked = true;
        } else if (h.startsWith("content-length:")) {
          remaining = Long.parseLong(h.substring("content-length:".length()).trim());
        } else if (h.startsWith("connection:") && h.contains("close")) {
          closeAfter = true;
        }
      }
      if (chunked) {
        remaining = 0;
        chunkState = 0;
      } else if (remaining == 0) {
        complete();
      }
      return true;
    }

    /** Decodes body bytes from {@code i}; the index after those used. */
    private int body(byte[] b, int i, int end) {
      if (!chunked) {
        int take = remaining < 0 ? end - i : (int) Math.min(remaining, end - i);
        sink(b, i, take);
        if (remaining >= 0 && (remaining -= take) == 0) {
          complete();
        }
        return i + take;
      }
      switch (chunkState) {
        case 0 -> {
          byte c = b[i++];
          if (c == '\n') {
            String size = sizeLine.toString().trim();
            sizeLine.setLength(0);
            int semi = size.indexOf(';');
            remaining = Long.parseLong(semi < 0 ? size : size.substring(0, semi), 16);
            if (remaining == 0) {
              complete(); // (trailers are not expected from these servers)
            } else {
              chunkState = 1;
            }
          } else if (c != '\r') {
            sizeLine.append((char) c);
          }
          return i;
        }
        case 1 -> {
          int take = (int) Math.min(remaining, end - i);
          sink(b, i, take);
          if ((remaining -= take) == 0) {
            chunkState = 2;
          }
          return i + take;
        }
        default -> {
          if (b[i++] == '\n') {
            chunkState = 0;
          }
          return i;
        }
      }
    }

    private void sink(byte[] b, int off, int len) {
      if (ticketPhase) {
        ticketBody.accept(b, off, len);
      } else {
        parser.feed(b, off, len);
      }
    }

    /** The response is complete: after the ticket, the stream request; after a stream, the end. */
    private void complete() {
      if (!ticketPhase) {
        ended(this, "stream ended");
        return;
      }
      String ticket;
      try {
        ticket = String.valueOf(LoadClient.json(ticketBody.text()).get("ticket"));
      } catch (RuntimeException e) {
        ended(this, "ticket response unreadable: " + e.getClass().getSimpleName()); // the message may quote the body, which holds a ticket
        return;
      }
      ticketPhase = false;
      head.setLength(0);
      headDone = false;
      request = streamRequest(stream, ticket);
      if (closeAfter) { // the server closed the ticket's connection: the stream on a new one
        key.cancel();
        try {
          channel.close();
        } catch (IOException e) {
          // closed anyway
        }
        open(this);
      } else {
        key.interestOps(SelectionKey.OP_WRITE);
      }
    }

    @Override
    public void lastEventId(String id) {
      stream.lastEventId = id;
    }

    @Override
    public void retry(long ms) {
      stream.retryMs = ms;
    }

    @Override
    public void appEvent() {
      if (!sawApp) {
        sawApp = true;
        listener.appEvent(stream, attempt);
      }
    }
  }
}
