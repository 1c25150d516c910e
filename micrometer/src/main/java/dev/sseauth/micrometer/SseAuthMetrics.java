package dev.sseauth.micrometer;

import dev.sseauth.Reason;
import dev.sseauth.SseAuthListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * sse-auth's meters in a Micrometer registry. Pass it as the listener of the configuration:
 *
 * <pre>{@code
 * SseAuth auth = SseAuth.create(SseAuthConfig.fromProperties(properties).toBuilder()
 *     .listener(new SseAuthMetrics(registry)).build());
 * }</pre>
 *
 * <table>
 *   <caption>The meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>counts</th></tr>
 *   <tr><td>{@code sseauth.tickets}</td><td>counter</td><td>{@code outcome} (issued, refused),
 *       {@code reason}</td><td>ticket requests answered</td></tr>
 *   <tr><td>{@code sseauth.decisions}</td><td>timer</td><td>{@code outcome} (allowed, denied),
 *       {@code credential} (ticket, token, none), {@code reason}</td><td>stream requests judged, and how
 *       long each took, store calls included</td></tr>
 *   <tr><td>{@code sseauth.streams.active}</td><td>gauge</td><td></td><td>streams tracked now</td></tr>
 *   <tr><td>{@code sseauth.streams.opened}</td><td>counter</td><td></td><td>streams started</td></tr>
 *   <tr><td>{@code sseauth.streams.ended}</td><td>counter</td><td>{@code reason} (closed,
 *       session_revoked, token_expired, session_expired)</td><td>streams ended; closed: by the
 *       application, the client or a shutdown</td></tr>
 *   <tr><td>{@code sseauth.rotations}</td><td>counter</td><td></td><td>session tokens rotated on live
 *       streams</td></tr>
 *   <tr><td>{@code sseauth.revocations.received}</td><td>counter</td><td></td><td>revocations received
 *       from the store</td></tr>
 *   <tr><td>{@code sseauth.store.failures}</td><td>counter</td><td></td><td>store calls that failed or
 *       timed out</td></tr>
 * </table>
 *
 * <p>{@code reason} is a {@link Reason} in lower case ({@code invalid_ticket}), or {@code none}. A meter
 * is registered when its first event arrives, except the gauge and the untagged counters, which are
 * there from the start. A new instance on the same registry with the same tags takes the gauge over (a
 * restart of sse-auth within the application); the counters and timers are shared and go on adding. To
 * tell two live instances apart, give them tags. Thread-safe; cheap per event.
 */
public final class SseAuthMetrics implements SseAuthListener {
  private static final int REASONS = Reason.values().length;

  private final MeterRegistry registry;
  private final Tags tags;
  private final AtomicInteger active = new AtomicInteger(); // the gauge's state: held strongly here
  private final Counter ticketsIssued;
  private final AtomicReferenceArray<Counter> ticketsRefused = new AtomicReferenceArray<>(REASONS);
  private final AtomicReferenceArray<Timer> allowed = new AtomicReferenceArray<>(Credential.values().length);
  private final AtomicReferenceArray<Timer> denied = new AtomicReferenceArray<>(REASONS);
  private final Counter opened;
  private final Counter closed;
  private final AtomicReferenceArray<Counter> ended = new AtomicReferenceArray<>(REASONS);
  private final Counter rotations;
  private final Counter revocations;
  private final Counter storeFailures;

  /**
   * Registers the gauge and the untagged counters in {@code registry}.
   *
   * @throws NullPointerException if {@code registry} is null
   */
  public SseAuthMetrics(MeterRegistry registry) {
    this(registry, Tags.empty());
  }

  /**
   * As {@link #SseAuthMetrics(MeterRegistry)}, with {@code tags} on every meter (to tell several
   * {@code SseAuth} instances apart, say).
   *
   * @throws NullPointerException if an argument is null
   */
  public SseAuthMetrics(MeterRegistry registry, Iterable<Tag> tags) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    // A registry keeps the first gauge of a name and tags: a new instance (a restart of sse-auth in the
    // same application) replaces the old one's, which would go on reading a count no longer kept.
    Gauge old = registry.find("sseauth.streams.active").tags(this.tags).gauge();
    if (old != null && old.getId().getTags().size() == this.tags.stream().count()) {
      registry.remove(old);
    }
    Gauge.builder("sseauth.streams.active", active, AtomicInteger::get)
        .description("Event streams sse-auth tracks now").tags(this.tags).register(registry);
    ticketsIssued = ticketCounter("issued", "none");
    opened = counter("sseauth.streams.opened", "Event streams started", Tags.empty());
    closed = endedCounter("closed");
    rotations = counter("sseauth.rotations", "Session tokens rotated on live streams", Tags.empty());
    revocations = counter("sseauth.revocations.received", "Revocations received from the store", Tags.empty());
    storeFailures = counter("sseauth.store.failures", "Store calls that failed or timed out", Tags.empty());
  }

  private Counter counter(String name, String description, Tags more) {
    return Counter.builder(name).description(description).tags(tags.and(more)).register(registry);
  }

  private Counter ticketCounter(String outcome, String reason) {
    return counter("sseauth.tickets", "Ticket requests answered", Tags.of("outcome", outcome, "reason", reason));
  }

  private Counter endedCounter(String reason) {
    return counter("sseauth.streams.ended", "Event streams ended", Tags.of("reason", reason));
  }

  private Timer decisionTimer(String outcome, String credential, String reason) {
    return Timer.builder("sseauth.decisions").description("Stream requests judged, store calls included")
        .tags(tags.and("outcome", outcome, "credential", credential, "reason", reason)).register(registry);
  }

  private static String tag(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** The meter at {@code e}'s ordinal, registered at its first use. */
  private static <E extends Enum<E>, M> M meter(AtomicReferenceArray<M> meters, E e, Function<E, M> register) {
    M m = meters.get(e.ordinal());
    if (m == null) {
      m = register.apply(e); // registering twice returns the same meter
      meters.set(e.ordinal(), m);
    }
    return m;
  }

  @Override
  public void ticketIssued() {
    ticketsIssued.increment();
  }

  @Override
  public void ticketRefused(Reason reason) {
    meter(ticketsRefused, reason, r -> ticketCounter("refused", tag(r))).increment();
  }

  @Override
  public void streamAllowed(Credential credential, long nanos) {
    meter(allowed, credential, c -> decisionTimer("allowed", tag(c), "none")).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void streamDenied(Reason reason, long nanos) {
    meter(denied, reason, r -> decisionTimer("denied", "none", tag(r))).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void streamOpened() {
    active.incrementAndGet();
    opened.increment();
  }

  @Override
  public void streamEnded(Reason reason) {
    active.decrementAndGet();
    (reason == null ? closed : meter(ended, reason, r -> endedCounter(tag(r)))).increment();
  }

  @Override
  public void tokenRotated() {
    rotations.increment();
  }

  @Override
  public void revocationReceived() {
    revocations.increment();
  }

  @Override
  public void storeUnavailable() {
    storeFailures.increment();
  }

  /** Shows no meter values. */
  @Override
  public String toString() {
    return "SseAuthMetrics[" + tags + "]";
  }
}
