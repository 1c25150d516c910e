package dev.sseauth.redis.internal;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Proves, end to end, that a pub/sub connection still delivers, and has it made again when it does not.
 *
 * <p>A subscriber never writes, so it cannot notice that the server forgot it (a failover, a lost NAT
 * or firewall mapping, a kill whose FIN never arrived): its socket stays open and silent, and TCP
 * keepalive takes hours. So every interval the watchdog publishes a heartbeat (a sequence number) on a
 * channel only its own pub/sub connection subscribes to, through the command connection, and the
 * connection reports what it hears ({@link #heard}). When two heartbeats in a row were accepted by the
 * server and neither came back, the older for longer than the deadline, while the connection believes
 * itself open, the connection is deaf: the watchdog calls {@code reconnect}, which makes it again (and
 * whose new subscription makes the store's listeners look up every live stream). A heartbeat that
 * could not be published proves nothing and is not waited for (the command link is down: requests fail
 * closed and the client reconnects by itself); neither is one published while the connection is closed
 * (the client is reconnecting it and subscribes again by itself).
 *
 * <p>Costs one {@code PUBLISH} of a few bytes per interval, heard by one subscriber. Logs one WARNING
 * when it finds the connection deaf, and one more if making it again fails, until a heartbeat is heard
 * again; never a line per heartbeat. Thread-safe: checks and repairs run one at a time on its own
 * daemon thread, which {@link #close()} ends.
 */
final class PubSubWatchdog implements AutoCloseable {
  private static final Logger LOG = System.getLogger("dev.sseauth.redis");

  private final long deadlineNanos;
  private final Function<String, CompletionStage<?>> publish;
  private final BooleanSupplier open;
  private final Runnable reconnect;
  private final ScheduledExecutorService thread;
  /** The newest heartbeat heard; heartbeats arrive in the order they were published. */
  private final AtomicLong heard = new AtomicLong(-1);
  /** Heartbeats the server accepted and not heard yet: sequence number to when the server accepted it. */
  private final ConcurrentSkipListMap<Long, Long> unheard = new ConcurrentSkipListMap<>();
  /** Whether a heartbeat is on its way to the server; the next one waits for it. */
  private final AtomicBoolean publishing = new AtomicBoolean();
  private volatile boolean closed;
  // the watchdog's thread only
  private long sent;
  private long heardAtAlarm = Long.MAX_VALUE;
  private boolean reconnectFailureLogged;

  /**
   * Starts the watchdog.
   *
   * @param interval how often a heartbeat is published; positive
   * @param deadline how long an accepted heartbeat may take to come back; longer than {@code interval}
   * @param publish publishes a heartbeat message on the watched channel through the command connection,
   *     completing when the server accepted it; must not block
   * @param open whether the pub/sub connection is connected (the client is not reconnecting it)
   * @param reconnect replaces the pub/sub connection by a new, subscribed one; may block for the
   *     client's connect and command timeouts; throws if it cannot
   */
  PubSubWatchdog(Duration interval, Duration deadline, Function<String, CompletionStage<?>> publish,
      BooleanSupplier open, Runnable reconnect) {
    this.deadlineNanos = deadline.toNanos();
    this.publish = publish;
    this.open = open;
    this.reconnect = reconnect;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sse-auth-redis-watchdog");
      t.setDaemon(true);
      return t;
    });
    long every = interval.toNanos();
    thread.scheduleWithFixedDelay(this::check, every, every, TimeUnit.NANOSECONDS);
  }

  /** The pub/sub connection heard {@code message} on the watched channel. Cheap; never blocks. */
  void heard(String message) {
    long seq;
    try {
      seq = Long.parseLong(message);
    } catch (NumberFormatException e) {
      return; // not ours
    }
    heard.accumulateAndGet(seq, Math::max);
  }

  private void check() {
    if (closed) {
      return;
    }
    try {
      long now = System.nanoTime();
      long newest = heard.get();
      unheard.headMap(newest, true).clear();
      if (newest > heardAtAlarm) {
        heardAtAlarm = Long.MAX_VALUE;
        reconnectFailureLogged = false;
      }
      Map.Entry<Long, Long> oldest = unheard.firstEntry();
      if (!open.getAsBoolean()) {
        unheard.clear(); // the client is reconnecting: it subscribes again and the listeners resync
      } else if (oldest != null && unheard.size() >= 2 && now - oldest.getValue() > deadlineNanos) {
        repair(TimeUnit.NANOSECONDS.toMillis(now - oldest.getValue()));
        return;
      }
      publishNext();
    } catch (RuntimeException e) {
      // a periodic task that throws is never run again: the next check tries again instead
      LOG.log(Level.DEBUG, "sse-auth Redis store: pub/sub watchdog check failed: {0}", e.getClass().getName());
    }
  }

  private void repair(long silentMillis) {
    if (heardAtAlarm == Long.MAX_VALUE) {
      heardAtAlarm = heard.get();
      LOG.log(Level.WARNING, "sse-auth Redis store: the pub/sub connection delivered none of this node''s heartbeats"
          + " for {0} ms although Redis accepted them (did Redis fail over, restart or drop the connection?);"
          + " connecting it again, then looking up every live stream again", silentMillis);
    }
    try {
      reconnect.run();
    } catch (RuntimeException e) {
      if (!reconnectFailureLogged && !closed) { // closing the store makes a repair under way fail
        reconnectFailureLogged = true;
        LOG.log(Level.WARNING, "sse-auth Redis store: could not connect the pub/sub connection again ({0});"
            + " trying again while the heartbeats stay unheard", e.getClass().getName());
      }
    } finally {
      unheard.clear(); // judge the new connection by the heartbeats published from now on
    }
  }

  private void publishNext() {
    if (!publishing.compareAndSet(false, true)) {
      return;
    }
    long seq = ++sent;
    try {
      publish.apply(Long.toString(seq)).whenComplete((ok, e) -> {
        if (e == null) {
          unheard.put(seq, System.nanoTime());
        }
        publishing.set(false);
      });
    } catch (RuntimeException e) {
      publishing.set(false);
      throw e;
    }
  }

  /**
   * Stops checking and publishing. Returns at once; a repair under way finishes (or fails, silently) on
   * the watchdog's thread, which then ends.
   */
  @Override
  public void close() {
    closed = true;
    thread.shutdown();
  }
}
