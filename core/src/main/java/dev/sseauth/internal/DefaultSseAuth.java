package dev.sseauth.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.function.Supplier;
import dev.sseauth.adapter.Reply;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Decision;
import dev.sseauth.Denied;
import dev.sseauth.HandshakeMode;
import dev.sseauth.IssuedTicket;
import dev.sseauth.KeysUnavailableException;
import dev.sseauth.Reason;
import dev.sseauth.SessionInfo;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SseAuthListener;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.StreamOutput;
import dev.sseauth.adapter.StreamRequest;
import dev.sseauth.TicketOutcome;
import dev.sseauth.spi.Revocation;
import dev.sseauth.spi.RevocationListener;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreContext;
import dev.sseauth.spi.StoreProvider;
import dev.sseauth.spi.TicketGrant;
import java.io.ByteArrayOutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** The implementation of {@link SseAuth}. Thread-safe. */
public final class DefaultSseAuth implements SseAuth {
  private static final Logger LOG = System.getLogger("dev.sseauth");
  private static final Map<Reason, CompletableFuture<Decision>> DENIALS = new EnumMap<>(Reason.class);

  static {
    for (Reason r : Reason.values()) {
      DENIALS.put(r, CompletableFuture.completedFuture(Outcomes.denied(r)));
    }
  }

  private final SseAuthConfig config;
  private final SseAuthStore store;
  private final StoreGuard guard;
  private final TokenService tokens;
  private final Clock clock;
  /** {@link SseAuthListener#NONE}, or the application's behind a guard; {@link #observed} says which. */
  private final SseAuthListener listener;
  /** Whether anyone listens: without a listener no clock is read for timings. */
  private final boolean observed;
  private final Set<DefaultLiveStream> streams = ConcurrentHashMap.newKeySet();
  /** The revocations announced lately: what a stream opening after its decision checks, in memory. */
  private final RecentRevocations recent = new RecentRevocations();
  /** The first line of every rotation event, shared by every stream's rewriter. */
  private final byte[] rotationHead;
  private final ScheduledExecutorService sweeper;
  private final long heartbeatMillis;
  private long lastSweepMilli; // the sweeper's own
  private final OncePer keysWarning = new OncePer(Duration.ofMinutes(1));
  private final AutoCloseable subscription;

  /** How many revocation lookups of live streams may be in flight at once (after a resync, say). */
  static final int MAX_RECHECKS = 64;
  private final Semaphore rechecks = new Semaphore(MAX_RECHECKS);

  /** How many strings of a query are checked as leaked tokens at most, however it is crafted. */
  private static final int MAX_LEAK_CANDIDATES = 8;
  /** Sessions burned a moment ago: a client that retries the same URL costs no store write, no log line. */
  private final Cache<String, Boolean> burned;

  /** The session id of no session: looks up only a subject's revocation. */
  private static final String NO_SESSION = "";

  private DefaultSseAuth(SseAuthConfig config, SseAuthStore store) {
    this.config = config;
    this.store = store;
    this.clock = config.clock();
    this.observed = config.listener() != SseAuthListener.NONE;
    this.listener = observed ? new SafeListener(config.listener()) : SseAuthListener.NONE;
    this.tokens = new TokenService(config, store::deploymentId);
    this.rotationHead = SseIdRewriter.rotationHead(config.rotationEvent());
    this.burned = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(1))
        .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis())).build();
    this.guard = new StoreGuard(config.store() != null ? store.getClass().getSimpleName() : config.storeName(),
        config.storeTimeout(), listener::storeUnavailable);
    this.subscription = store.subscribe(new RevocationListener() {
      @Override
      public void revoked(Revocation r) {
        onRevocation(r);
      }

      @Override
      public void resync() {
        recent.resynced(); // first: a stream opening meanwhile looks itself up (see allowed)
        for (DefaultLiveStream s : streams) {
          s.recheck();
        }
      }
    });
    this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sse-auth-streams");
      t.setDaemon(true);
      return t;
    });
    this.heartbeatMillis = config.heartbeat().toMillis();
    long every = config.streamCheckInterval().toMillis();
    sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
  }

  /** @see SseAuth#create */
  public static SseAuth create(SseAuthConfig config) {
    Objects.requireNonNull(config, "config");
    SseAuthStore store = config.store();
    if (store == null) {
      StoreProvider provider = ConfigReader.providers().get(config.storeName());
      if (provider == null) {
        throw new IllegalArgumentException(CoreKeys.STORE.name() + " names no store on the class path, but was '"
            + config.storeName() + "' (available: " + ConfigReader.providers().keySet() + ")");
      }
      store = ConfigErrors.createStore(provider, new StoreContext(config.storeProperties(), config.clock()));
    }
    return new DefaultSseAuth(config, store);
  }

  @Override
  public SseAuthConfig config() {
    return config;
  }

  // ---- tickets ----

  @Override
  public CompletionStage<TicketOutcome> issueTicket(SsePrincipal principal) {
    Objects.requireNonNull(principal, "principal");
    String ticket = Tickets.newTicket();
    // The grant carries the subject's latest revocation as read before it is stored: any revocation the
    // store records later voids the session (see Revocation). Read, then store; never the other way.
    return guard.call(() -> store.revocationStatus(NO_SESSION, principal.subject()))
        .thenCompose(status -> {
          Instant now = clock.instant();
          TicketGrant grant = new TicketGrant(principal.subject(), principal.attributes(), now,
              now.plus(config.ticketTtl()), status.subjectRevokedAt());
          return guard.call(() -> store.putTicket(Tickets.hash(ticket), grant, config.ticketMaxPerSubject()));
        })
        .handle((stored, e) -> {
          if (e != null) {
            listener.ticketRefused(Reason.STORE_UNAVAILABLE);
            return Outcomes.denied(Reason.STORE_UNAVAILABLE);
          }
          if (!stored) {
            LOG.log(Level.DEBUG, "ticket refused: subject {0} has too many outstanding", principal.subject());
            listener.ticketRefused(Reason.TOO_MANY_TICKETS);
            return Outcomes.denied(Reason.TOO_MANY_TICKETS);
          }
          listener.ticketIssued();
          return new IssuedTicket(ticket, config.ticketTtl(), config.ticketParam(), config.resumeParam(),
              config.idSeparator());
        });
  }

  @Override
  public CompletionStage<Reply> answerTicketRequest(String method,
      Supplier<? extends CompletionStage<SsePrincipal>> principal) {
    Objects.requireNonNull(principal, "principal");
    if (!"POST".equals(Objects.requireNonNull(method, "method"))) {
      return ticketRefused(Reason.TICKET_METHOD_NOT_ALLOWED);
    }
    CompletionStage<SsePrincipal> found;
    try {
      found = principal.get();
      if (found == null) {
        found = CompletableFuture.completedFuture(null);
      }
    } catch (RuntimeException e) {
      found = CompletableFuture.failedFuture(e);
    }
    // A lookup that never answers (a resolver waiting on a service that is down) must not hold the
    // request, nor the connection's later requests, forever: past the bound it is refused as unavailable.
    CompletableFuture<SsePrincipal> bounded = new CompletableFuture<>();
    found.whenComplete((p, e) -> {
      if (e != null) {
        bounded.completeExceptionally(e);
      } else {
        bounded.complete(p);
      }
    });
    if (!bounded.isDone()) { // a resolver that answered at once (the usual case) needs no timer
      bounded.orTimeout(principalBound().toMillis(), TimeUnit.MILLISECONDS);
    }
    return bounded.handle((p, e) -> {
      if (e == null) {
        return p == null ? ticketRefused(Reason.NOT_AUTHENTICATED) : issueTicket(p).thenApply(TicketOutcome::reply);
      }
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof TimeoutException) {
        LOG.log(Level.WARNING, "finding the principal of a ticket request took longer than {0}", principalBound());
        return ticketRefused(Reason.STORE_UNAVAILABLE);
      }
      if (cause instanceof KeysUnavailableException) {
        if (keysWarning.due()) { // the message names an exception class, never a token or a key
          LOG.log(Level.WARNING, "ticket requests are refused (503), logged at most once a minute: {0}",
              cause.getMessage());
        }
        return ticketRefused(Reason.KEYS_UNAVAILABLE);
      }
      LOG.log(Level.WARNING, "finding the principal of a ticket request failed: {0}", cause.getClass().getName());
      return ticketRefused(Reason.NOT_AUTHENTICATED);
    }).thenCompose(r -> r);
  }

  /** The ticket endpoint refuses for {@code reason}, before any ticket is asked for. */
  private CompletableFuture<Reply> ticketRefused(Reason reason) {
    listener.ticketRefused(reason);
    return CompletableFuture.completedFuture(reason.reply());
  }

  /** How long the ticket endpoint waits for the principal: as long as three store calls, and a second. */
  private Duration principalBound() {
    return config.storeTimeout().multipliedBy(3).plusSeconds(1);
  }

  // ---- the decision ----

  @Override
  public CompletionStage<Decision> decide(StreamRequest request) {
    Objects.requireNonNull(request, "request");
    long t0 = observed ? System.nanoTime() : 0L;
    CompletableFuture<Decision> result;
    try {
      result = judge(request, t0);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "unexpected failure judging a stream request: {0}", e.getClass().getName());
      result = deny(Reason.INVALID_TOKEN);
    }
    if (!observed) {
      return result.thenApply(DefaultSseAuth::logDenied); // no capture: no allocation per decision
    }
    return result.thenApply(d -> {
      if (logDenied(d) instanceof Denied denied) {
        listener.streamDenied(denied.reason(), System.nanoTime() - t0);
      }
      return d;
    });
  }

  private static Decision logDenied(Decision d) {
    if (d instanceof Denied denied) {
      LOG.log(Level.DEBUG, "stream request denied: {0}", denied.reason());
    }
    return d;
  }

  /** An allowed decision is told to the listener where it is made, which knows its credential. */
  private void allowedBy(SseAuthListener.Credential credential, long t0) {
    if (observed) {
      listener.streamAllowed(credential, System.nanoTime() - t0);
    }
  }

  /** @param t0 when the decision began ({@link System#nanoTime()}), if {@link #observed} */
  private CompletableFuture<Decision> judge(StreamRequest r, long t0) {
    TokenService.Signed leaked = leakedSession(r.rawQuery()); // whatever else is wrong with the request
    if (leaked != null) {
      return burn(leaked);
    }
    if (!"GET".equals(r.method())) {
      return deny(Reason.METHOD_NOT_ALLOWED);
    }
    if (!config.origins().isEmpty() && r.origin() != null && !config.origins().contains(r.origin())) {
      return deny(Reason.ORIGIN_NOT_ALLOWED);
    }
    String appQuery = QueryParams.without(r.rawQuery(), config.ticketParam(), config.resumeParam());
    String lastEventId = r.lastEventId();
    if (lastEventId == null || lastEventId.isEmpty()) {
      return redeem(r, appQuery, Reason.NO_CREDENTIALS, t0);
    }
    CompositeIds.Parts parts = CompositeIds.parse(lastEventId, config.idSeparator(), config.tokenMaxLength());
    if (parts == null) {
      return redeem(r, appQuery, Reason.INVALID_TOKEN, t0);
    }
    TokenService.Result result = tokens.verify(parts.token(), clock.instant());
    if (result instanceof TokenService.Refused refused) {
      return redeem(r, appQuery, refused.reason(), t0);
    }
    TokenService.Verified v = (TokenService.Verified) result;
    SessionInfo s = v.session();
    long mark = recent.mark(); // before the lookup: see allowed
    return guard.call(() -> store.revocationStatus(s.sessionId(), s.principal().subject()))
        .handle((status, e) -> e == null ? status : null)
        .thenCompose(status -> {
          if (status == null) {
            return deny(Reason.STORE_UNAVAILABLE);
          }
          if (status.revokes(v.knownRevocation())) {
            return redeem(r, appQuery, Reason.SESSION_REVOKED, t0);
          }
          return CompletableFuture.completedFuture(resumed(v, parts.token(), parts.previousId(), appQuery, mark, t0));
        });
  }

  /**
   * The session of a session token of this deployment that stands anywhere in a query (as sent, or
   * percent-decoded), whatever its times; null if there is none. Linear in the query, and at most
   * {@link #MAX_LEAK_CANDIDATES} signature checks however the query is crafted.
   */
  private TokenService.Signed leakedSession(String rawQuery) {
    if (rawQuery == null || rawQuery.length() < 16) {
      return null;
    }
    String decoded = QueryParams.percentDecodeLenient(rawQuery);
    String text = decoded.equals(rawQuery) ? rawQuery : rawQuery + "&" + decoded;
    for (String token : CompositeIds.embeddedTokens(text, tokens.headerPrefixes(), MAX_LEAK_CANDIDATES)) {
      TokenService.Signed s = tokens.signedSession(token);
      if (s != null) {
        return s;
      }
    }
    return null;
  }

  /**
   * A session token was in a URL: it sits in access logs, proxies and history now. Refuses the request
   * (400) and revokes the session, logging its id once, never the token. A session past its absolute
   * cap is over already and is not revoked again; a session burned a moment ago is not either (a client
   * retrying the same URL costs no store write). If the store cannot record the revocation the answer
   * is 503, so the client tries again and the token is burned then.
   */
  private CompletableFuture<Decision> burn(TokenService.Signed leaked) {
    String sessionId = leaked.sessionId();
    boolean over = !clock.instant().minus(config.tokenClockSkew())
        .isBefore(leaked.sessionStart().plus(config.sessionMaxLifetime()));
    if (over || burned.getIfPresent(sessionId) != null) {
      return deny(Reason.TOKEN_IN_URL);
    }
    return revoke(Revocation.Kind.SESSION, sessionId).toCompletableFuture().handle((v, e) -> {
      if (e != null) {
        return DENIALS.get(Reason.STORE_UNAVAILABLE).join();
      }
      if (burned.asMap().putIfAbsent(sessionId, Boolean.TRUE) == null) {
        LOG.log(Level.WARNING, "a session token was sent in a request URL; revoked session {0}", sessionId);
      }
      return DENIALS.get(Reason.TOKEN_IN_URL).join();
    });
  }

  /** A valid token reconnected: stream on, rotating at once if the token is due. */
  private Decision resumed(TokenService.Verified v, String token, String previousId, String appQuery, long mark,
      long t0) {
    Instant now = clock.instant();
    ByteArrayOutputStream hs = new ByteArrayOutputStream();
    if (config.handshakeMode() == HandshakeMode.RECONNECT) {
      ascii(hs, "retry: " + jitteredRetry() + "\n\n"); // undo the handshake's retry: 0
    }
    SessionInfo session = v.session();
    Instant issuedAt = v.issuedAt();
    String wire = CompositeIds.toWire(token);
    if (!now.isBefore(issuedAt.plus(config.tokenRotateAfter()))) {
      TokenService.Minted m = tokens.mint(session.principal(), session.sessionId(), session.sessionStart(),
          v.knownRevocation(), now);
      session = m.session();
      issuedAt = m.issuedAt();
      wire = CompositeIds.toWire(m.token());
      ascii(hs, "event: " + config.rotationEvent() + "\nid: " + wire + config.idSeparator());
      utf8(hs, previousId);
      ascii(hs, "\ndata:\n\n");
    }
    allowedBy(SseAuthListener.Credential.TOKEN, t0);
    return allowed(session, v.knownRevocation(), issuedAt, wire, previousId, appQuery, hs.toByteArray(), false, mark);
  }

  private CompletableFuture<Decision> redeem(StreamRequest r, String appQuery, Reason otherwise, long t0) {
    List<String> tickets = QueryParams.values(r.rawQuery(), config.ticketParam());
    if (tickets.isEmpty()) {
      return deny(otherwise);
    }
    if (tickets.size() > 1) {
      return deny(Reason.AMBIGUOUS_TICKET);
    }
    List<String> resume = QueryParams.values(r.rawQuery(), config.resumeParam());
    String previousId = resume.isEmpty() ? "" : resume.get(0);
    if (resume.size() > 1 || !validResumeId(previousId)) {
      return deny(Reason.BAD_RESUME_ID);
    }
    String ticket = tickets.get(0);
    if (!Tickets.wellFormed(ticket)) {
      return deny(Reason.INVALID_TICKET);
    }
    String sessionId = Tickets.randomId(12); // 96 bits: unique, and not a secret
    return guard.call(() -> store.takeTicket(Tickets.hash(ticket)))
        .handle((grant, e) -> e == null ? grant : null)
        .thenCompose(grant -> {
          if (grant == null) {
            return deny(Reason.STORE_UNAVAILABLE);
          }
          if (grant.isEmpty() || !clock.instant().isBefore(grant.get().expiresAt())) {
            return deny(Reason.INVALID_TICKET);
          }
          TicketGrant g = grant.get();
          long mark = recent.mark(); // before the lookup: see allowed
          return guard.call(() -> store.revocationStatus(sessionId, g.subject()))
              .handle((status, e) -> e == null ? status : null)
              .thenCompose(status -> {
                if (status == null) {
                  return deny(Reason.STORE_UNAVAILABLE);
                }
                if (status.revokes(g.subjectRevokedAt())) {
                  return deny(Reason.INVALID_TICKET); // issued before "log out everywhere"
                }
                return CompletableFuture.completedFuture(started(g, sessionId, previousId, appQuery, mark, t0));
              });
        });
  }

  /**
   * Whether a resume parameter can become the application's {@code Last-Event-ID}: no control
   * character but tab (servers refuse them in header values, and an SSE id cannot hold CR, LF or NUL).
   */
  private static boolean validResumeId(String id) {
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  /**
   * The handshake retry, moved by a random share of {@code sseauth.retry.jitter} either way, so that the
   * clients of streams cut off together (a restart) come back spread over time.
   */
  private long jitteredRetry() {
    long base = config.handshakeRetry().toMillis();
    long spread = base * config.retryJitter() / 100;
    return spread == 0 ? base : base - spread + ThreadLocalRandom.current().nextLong(2 * spread + 1);
  }

  /** How long a stream may write nothing before a heartbeat; 0: never. */
  long heartbeatMillis() {
    return heartbeatMillis;
  }

  /** A ticket was redeemed: a new session. */
  private Decision started(TicketGrant g, String sessionId, String previousId, String appQuery, long mark,
      long t0) {
    // the token carries the session start in milliseconds: keep the in-memory session identical to it
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    TokenService.Minted m = tokens.mint(new SsePrincipal(g.subject(), g.attributes()), sessionId, now,
        g.subjectRevokedAt(), now);
    String wire = CompositeIds.toWire(m.token());
    boolean reconnect = config.handshakeMode() == HandshakeMode.RECONNECT;
    ByteArrayOutputStream hs = new ByteArrayOutputStream();
    ascii(hs, "retry: " + (reconnect ? 0 : jitteredRetry()) + "\nevent: " + config.handshakeEvent()
        + "\nid: " + wire + config.idSeparator());
    utf8(hs, previousId);
    ascii(hs, "\ndata: {\"session\":\"valid\"}\n\n");
    LOG.log(Level.DEBUG, "ticket redeemed: subject {0}, session {1}", g.subject(), sessionId);
    allowedBy(SseAuthListener.Credential.TICKET, t0);
    return allowed(m.session(), g.subjectRevokedAt(), m.issuedAt(), wire, previousId, appQuery, hs.toByteArray(),
        reconnect, mark);
  }

  /**
   * @param mark the {@link RecentRevocations#mark()} taken before the revocation lookup this decision
   *     rests on
   */
  private Allowed allowed(SessionInfo session, Instant knownRevocation, Instant issuedAt, String wire,
      String previousId, String appQuery, byte[] handshake, boolean end, long mark) {
    boolean afterHandshake = handshake.length > 0;
    StreamGrant grant = output -> {
      DefaultLiveStream s = new DefaultLiveStream(this, output,
          new SseIdRewriter(wire, config.idSeparator(), previousId, rotationHead, afterHandshake),
          session, knownRevocation, issuedAt.plus(config.tokenRotateAfter()), heartbeatMillis > 0 ? clock.millis() : 0);
      listener.streamOpened(); // before the stream is listed, where a revocation may end it at once
      streams.add(s);
      // A revocation the store records after the decision's lookup is announced after the mark. Announced
      // once the stream is listed, it finds the stream (onRevocation); announced before, it is in the
      // recent log, checked here in memory. Listed first, then checked, and announcements are logged
      // before the streams are walked, so one of the two sees it. Only when the log cannot tell (a
      // resync, or more announcements than it keeps) is the store asked again; a lookup that fails is
      // repeated at every check until one succeeds.
      switch (recent.since(mark, session.sessionId(), session.principal().subject(), knownRevocation)) {
        case REVOKED -> s.end(Reason.SESSION_REVOKED);
        case UNKNOWN -> s.recheck();
        case NOTHING -> { }
      }
      return s;
    };
    return Outcomes.allowed(session, previousId, appQuery, handshake, end, grant);
  }

  private static CompletableFuture<Decision> deny(Reason reason) {
    return DENIALS.get(reason);
  }

  private static void ascii(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static void utf8(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  // ---- live streams: rotation, expiry, revocation ----

  private void sweep() {
    try {
      Instant now = clock.instant();
      long previous = lastSweepMilli;
      lastSweepMilli = now.toEpochMilli();
      for (DefaultLiveStream s : streams) {
        s.check(now, previous);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "sse-auth stream check failed: {0}", e.getClass().getName());
    }
  }

  /** Rotates a live stream's token, unless its session was revoked meanwhile. Called by the sweeper. */
  void rotate(DefaultLiveStream s) {
    SessionInfo session = s.session();
    guard.call(() -> store.revocationStatus(session.sessionId(), session.principal().subject()))
        .whenComplete((status, e) -> {
          if (e != null) {
            s.rotationFailed(); // retried at the next check; the stream ends when the token expires
          } else if (status.revokes(s.knownRevocation())) {
            s.end(Reason.SESSION_REVOKED);
          } else {
            Instant now = clock.instant();
            TokenService.Minted m = tokens.mint(session.principal(), session.sessionId(), session.sessionStart(),
                s.knownRevocation(), now);
            s.rotated(CompositeIds.toWire(m.token()), m.session(), m.issuedAt().plus(config.tokenRotateAfter()));
            if (!s.closed()) {
              listener.tokenRotated();
            }
          }
        });
  }

  /**
   * Looks up a live stream's revocation status and ends it if revoked, unless {@link #MAX_RECHECKS}
   * lookups are in flight already (a resync of many streams must not flood the store). Called by the
   * stream.
   *
   * @return whether the lookup started
   */
  boolean recheck(DefaultLiveStream s, long wanted) {
    if (!rechecks.tryAcquire()) {
      return false;
    }
    SessionInfo session = s.session();
    guard.call(() -> store.revocationStatus(session.sessionId(), session.principal().subject()))
        .whenComplete((status, e) -> {
          rechecks.release();
          if (e == null && status.revokes(s.knownRevocation())) {
            s.end(Reason.SESSION_REVOKED);
          }
          s.rechecked(wanted, e == null);
        });
    return true;
  }

  /** A stream ended: by sse-auth for {@code reason}, or (null) by its application, its client or a shutdown. */
  void forget(DefaultLiveStream s, Reason reason) {
    streams.remove(s);
    listener.streamEnded(reason);
  }

  Instant sessionCap(SessionInfo s) {
    return s.sessionStart().plus(config.sessionMaxLifetime());
  }

  private void onRevocation(Revocation r) {
    recent.announced(r); // first: a stream opening meanwhile finds it there (see allowed)
    for (DefaultLiveStream s : streams) {
      SessionInfo session = s.session();
      if (r.applies(session.sessionId(), session.principal().subject(), s.knownRevocation())) {
        s.end(Reason.SESSION_REVOKED);
      }
    }
    listener.revocationReceived(); // last: the revocation is enforced whatever the listener does
  }

  @Override
  public int liveStreams() {
    return streams.size();
  }

  // ---- revocation ----

  @Override
  public CompletionStage<Void> revokeSession(String sessionId) {
    return revoke(Revocation.Kind.SESSION, sessionId);
  }

  @Override
  public CompletionStage<Void> revokeSubject(String subject) {
    return revoke(Revocation.Kind.SUBJECT, subject);
  }

  private CompletionStage<Void> revoke(Revocation.Kind kind, String id) {
    Objects.requireNonNull(id, "id");
    // millisecond precision, like session starts: a session started in the same millisecond is revoked
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Instant keepUntil = now.plus(keptFor(config));
    Revocation r = new Revocation(kind, id, now, keepUntil);
    return guard.call(() -> store.revoke(r)).thenRun(() ->
        LOG.log(Level.INFO, "revoked {0} {1}", kind == Revocation.Kind.SESSION ? "session" : "subject", id));
  }

  /**
   * How long a revocation is kept, counted on the revoking node's clock: as long as any token it voids
   * could verify on any node, with node clocks up to the configured skew apart. A redemption, reconnect
   * or rotation whose lookup just missed the revocation mints its token at most a store timeout later,
   * on a clock up to one skew ahead of the revoking node's; that token expires a token TTL after it was
   * minted; a node verifies it up to one skew past its expiry; and the store that judges whether the
   * record is still kept may run on a clock up to one skew ahead again: three skews in all. The stream
   * check interval is added as a margin.
   */
  static Duration keptFor(SseAuthConfig config) {
    return config.tokenTtl().plus(config.storeTimeout()).plus(config.streamCheckInterval())
        .plus(config.tokenClockSkew().multipliedBy(3));
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
    try {
      subscription.close();
    } catch (Exception e) {
      LOG.log(Level.WARNING, "closing the revocation subscription failed: {0}", e.getClass().getName());
    }
    for (DefaultLiveStream s : streams) {
      s.close();
    }
    store.close();
  }

  static StreamOutput checked(StreamOutput o) {
    return Objects.requireNonNull(o, "output");
  }
}
