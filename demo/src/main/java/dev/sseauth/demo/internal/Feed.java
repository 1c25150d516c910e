package dev.sseauth.demo.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The demo's live feed: one bounded in-memory log of events (a clock tick every second and the
 * messages users post) with increasing sequence ids, and the open streams it is delivered to. A stream
 * subscribes with the {@code Last-Event-ID} it was handed and first gets every logged event after
 * that id, then the live ones, with no gap and no repeat (as long as the id is still in the log).
 *
 * <p>This is ordinary application code: it knows nothing of tickets or tokens. Thread-safe; events
 * are appended and delivered under one lock, so every stream sees them in id order.
 */
public final class Feed implements AutoCloseable {
  /** How many events the log keeps. */
  public static final int CAPACITY = 2000;

  /** One open event stream, implemented by the servlet and Netty endpoints. */
  public interface Stream {
    /** The user the stream belongs to (its principal), or null. */
    String user();

    /** Writes one SSE block and flushes; returns false once the stream is gone. */
    boolean send(String sseBlock);

    /** Ends the response at once, as a network drop would; the browser reconnects by itself. */
    void drop();
  }

  private record Event(long id, String json) {
    String block() {
      return "id: " + id + "\ndata: " + json + "\n\n";
    }
  }

  private final Clock clock;
  private final ArrayDeque<Event> log = new ArrayDeque<>();
  private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService ticker;
  private long lastId;

  /**
   * Starts the feed; it ticks every {@code tickInterval}.
   *
   * @param clock the clock whose time the ticks show
   */
  public Feed(Clock clock, Duration tickInterval) {
    this.clock = clock;
    this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "demo-feed-ticker");
      t.setDaemon(true);
      return t;
    });
    long ms = tickInterval.toMillis();
    ticker.scheduleAtFixedRate(this::tick, ms, ms, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      publish("{\"type\":\"tick\",\"time\":" + Json.str(clock.instant().truncatedTo(ChronoUnit.SECONDS).toString()) + "}");
    } catch (RuntimeException e) {
      // keep ticking
    }
  }

  /** Appends a message event and delivers it; returns its id. */
  public long postMessage(String from, String text) {
    return publish("{\"type\":\"message\",\"from\":" + Json.str(from) + ",\"text\":" + Json.str(text)
        + ",\"time\":" + Json.str(clock.instant().truncatedTo(ChronoUnit.SECONDS).toString()) + "}");
  }

  private synchronized long publish(String json) {
    Event e = new Event(++lastId, json);
    log.addLast(e);
    if (log.size() > CAPACITY) {
      log.removeFirst();
    }
    String block = e.block();
    for (Stream s : streams) {
      if (!s.send(block)) {
        streams.remove(s);
      }
    }
    return e.id;
  }

  /**
   * Adds a stream: first every logged event after {@code lastEventId} (none if it is null, empty or not
   * a number of this feed), then the live ones.
   */
  public synchronized void subscribe(Stream stream, String lastEventId) {
    long after = parse(lastEventId);
    if (after >= 0) {
      List<Event> backlog = new ArrayList<>();
      for (Event e : log) {
        if (e.id > after) {
          backlog.add(e);
        }
      }
      StringBuilder b = new StringBuilder();
      for (Event e : backlog) {
        b.append(e.block());
      }
      if (b.length() > 0 && !stream.send(b.toString())) {
        return;
      }
    }
    streams.add(stream);
  }

  /** Removes a stream that has ended. */
  public void unsubscribe(Stream stream) {
    streams.remove(stream);
  }

  /** Drops the open streams of {@code user}, or every stream if it is null; returns how many. */
  public int drop(String user) {
    int n = 0;
    for (Stream s : List.copyOf(streams)) {
      if (user == null || user.equals(s.user())) {
        streams.remove(s);
        s.drop();
        n++;
      }
    }
    return n;
  }

  /** The number of open streams. */
  public int openStreams() {
    return streams.size();
  }

  private static long parse(String id) {
    if (id == null || id.isEmpty() || id.length() > 18 || !id.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    return Long.parseLong(id);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    drop(null);
  }
}
