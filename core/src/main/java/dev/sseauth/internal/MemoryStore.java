package dev.sseauth.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.sseauth.spi.Revocation;
import dev.sseauth.spi.RevocationListener;
import dev.sseauth.spi.RevocationStatus;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.TicketGrant;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The single-node store: Caffeine caches expiring by the configured clock. Tickets are bounded by
 * {@code sseauth.memory.max-entries} (an evicted ticket fails closed: it no longer redeems);
 * revocations are never evicted early, only when they expire. Its {@link #deploymentId()} is random per
 * instance: its tokens, like its revocations, end with the process. Thread-safe; completes every stage
 * before returning.
 */
public final class MemoryStore implements SseAuthStore {
  private final Clock clock;
  private final Cache<String, TicketGrant> tickets;
  private final ConcurrentHashMap<String, Set<String>> ticketsBySubject = new ConcurrentHashMap<>();
  private final Object[] stripes = new Object[64];
  private final Cache<String, Kept> revokedSessions;
  private final Cache<String, Kept> revokedSubjects;
  private final CopyOnWriteArrayList<RevocationListener> listeners = new CopyOnWriteArrayList<>();
  private final String deploymentId = Tickets.randomId(12);

  /** A store with at most {@code maxTickets} outstanding tickets, expiring by {@code clock}. */
  public MemoryStore(Clock clock, long maxTickets) {
    this.clock = clock;
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Object();
    }
    this.tickets = Caffeine.newBuilder()
        .ticker(() -> nanos(clock.instant()))
        .maximumSize(maxTickets)
        .expireAfter(Expiry.<String, TicketGrant>creating((k, g) -> until(g.expiresAt())))
        .evictionListener((String k, TicketGrant g, com.github.benmanes.caffeine.cache.RemovalCause c) -> {
          if (k != null && g != null) {
            unindex(g.subject(), k);
          }
        })
        .build();
    this.revokedSessions = revocationCache(clock);
    this.revokedSubjects = revocationCache(clock);
  }

  private record Kept(Instant revokedAt, Instant keepUntil) {}

  private Cache<String, Kept> revocationCache(Clock clock) {
    return Caffeine.newBuilder()
        .ticker(() -> nanos(clock.instant()))
        .expireAfter(new Expiry<String, Kept>() {
          @Override
          public long expireAfterCreate(String key, Kept value, long currentTime) {
            return until(value.keepUntil()).toNanos();
          }

          @Override
          public long expireAfterUpdate(String key, Kept value, long currentTime, long currentDuration) {
            return until(value.keepUntil()).toNanos();
          }

          @Override
          public long expireAfterRead(String key, Kept value, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  private static long nanos(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  private Duration until(Instant t) {
    Duration d = Duration.between(clock.instant(), t);
    return d.isNegative() ? Duration.ZERO : d;
  }

  /**
   * Counts the subject's live tickets and stores the grant under the subject's stripe lock. No cache
   * call runs inside a map computation: Caffeine calls the eviction listener on its own threads while
   * holding its entry lock, and the listener updates the index, so the index's locks are only ever
   * taken alone.
   */
  @Override
  public CompletionStage<Boolean> putTicket(String ticketHash, TicketGrant grant, int maxPerSubject) {
    String subject = grant.subject();
    synchronized (stripes[Math.floorMod(subject.hashCode(), stripes.length)]) {
      int live = 0;
      for (String h : ticketsBySubject.getOrDefault(subject, Set.of())) {
        if (tickets.getIfPresent(h) != null) {
          live++;
        } else {
          unindex(subject, h);
        }
      }
      if (live >= maxPerSubject) {
        return CompletableFuture.completedFuture(false);
      }
      ticketsBySubject.compute(subject, (s, hashes) -> {
        Set<String> set = hashes != null ? hashes : ConcurrentHashMap.newKeySet();
        set.add(ticketHash);
        return set;
      });
      tickets.put(ticketHash, grant); // indexed first: an eviction at once finds it to unindex
      return CompletableFuture.completedFuture(true);
    }
  }

  @Override
  public CompletionStage<Optional<TicketGrant>> takeTicket(String ticketHash) {
    TicketGrant g = tickets.asMap().remove(ticketHash);
    if (g != null) {
      unindex(g.subject(), ticketHash);
    }
    if (g == null || !clock.instant().isBefore(g.expiresAt())) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return CompletableFuture.completedFuture(Optional.of(g));
  }

  /** Forgets a taken, expired or evicted ticket in its subject's count, and the subject when none is left. */
  private void unindex(String subject, String ticketHash) {
    ticketsBySubject.computeIfPresent(subject, (k, hashes) -> {
      hashes.remove(ticketHash);
      return hashes.isEmpty() ? null : hashes;
    });
  }

  /** The size of the per-subject index: it forgets a subject once its last ticket is gone. */
  int subjectsTracked() {
    tickets.cleanUp();
    return ticketsBySubject.size();
  }

  @Override
  public CompletionStage<Void> revoke(Revocation r) {
    Cache<String, Kept> cache = r.kind() == Revocation.Kind.SESSION ? revokedSessions : revokedSubjects;
    Instant asked = ceilMillis(r.revokedAt());
    Kept kept = cache.asMap().compute(r.id(), (id, cur) -> {
      if (cur == null) {
        return new Kept(asked, r.keepUntil());
      }
      Instant at = r.kind() == Revocation.Kind.SUBJECT && !asked.isAfter(cur.revokedAt())
          ? cur.revokedAt().plusMillis(1) // a subject's revocations strictly increase
          : later(asked, cur.revokedAt());
      return new Kept(at, later(r.keepUntil(), cur.keepUntil()));
    });
    Revocation recorded = r.at(kept.revokedAt());
    for (RevocationListener l : listeners) {
      l.revoked(recorded);
    }
    return CompletableFuture.completedFuture(null);
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  /** Whole milliseconds, rounded up, as tokens and every other store keep them. */
  static Instant ceilMillis(Instant t) {
    Instant ms = t.truncatedTo(ChronoUnit.MILLIS);
    return ms.equals(t) ? t : ms.plusMillis(1);
  }

  @Override
  public CompletionStage<RevocationStatus> revocationStatus(String sessionId, String subject) {
    boolean session = revokedSessions.getIfPresent(sessionId) != null;
    Kept subjectKept = revokedSubjects.getIfPresent(subject);
    return CompletableFuture.completedFuture(!session && subjectKept == null
        ? RevocationStatus.NONE
        : new RevocationStatus(session, subjectKept == null ? null : subjectKept.revokedAt()));
  }

  @Override
  public String deploymentId() {
    return deploymentId;
  }

  @Override
  public AutoCloseable subscribe(RevocationListener listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public void close() {
    listeners.clear();
    tickets.invalidateAll();
  }
}
