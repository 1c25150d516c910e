package dev.sseauth.jdbc.internal;

import dev.sseauth.spi.Revocation;
import dev.sseauth.spi.RevocationListener;
import dev.sseauth.spi.RevocationStatus;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreSupport;
import dev.sseauth.spi.TicketGrant;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.reflect.Method;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Savepoint;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SQL store: plain JDBC, every blocking call on a bounded pool of the store's own threads (a
 * full queue fails the call at once instead of piling requests up during an outage). Consumes with
 * {@code DELETE ... RETURNING} on PostgreSQL and with select-then-delete checking the row count in
 * one transaction elsewhere. Revocations reach other nodes through the events table: on PostgreSQL each
 * one is also announced with {@code NOTIFY}, which wakes every node's poll at once ({@link Listener}), and
 * the table is polled every {@link #CATCH_UP} (or {@code pollInterval} if longer) as the catch-up path;
 * elsewhere, or while the listening connection is down or deaf, it is polled every {@code pollInterval}. The
 * {@link #deploymentId() deployment id} is one row of the deployment table, created by the first node
 * to start. Thread-safe.
 */
public final class SqlStore implements SseAuthStore {
  private static final Logger LOG = System.getLogger("dev.sseauth.jdbc");
  /** How far below the highest seen event seq a poll looks again, for events committed out of order. */
  static final int REREAD_WINDOW = 100;
  /** How often a node that listens for PostgreSQL's notifications still polls: what it might have missed. */
  static final Duration CATCH_UP = Duration.ofSeconds(5);
  /** How long revocation events are kept for polling nodes. */
  static final Duration EVENT_RETENTION = Duration.ofMinutes(10);

  /**
   * Settings fixed at construction.
   *
   * @param portableTake take tickets with the portable transaction (select, delete, check the count) even
   *     on PostgreSQL, where one {@code DELETE ... RETURNING} does it
   */
  public record Settings(String tablePrefix, boolean createSchema, Duration pollInterval, Duration cleanupInterval,
      int threads, int queueSize, Duration timeout, boolean portableTake) {}

  private final ConnectionSource connections;
  private final Clock clock;
  private final Settings settings;
  private final boolean returning;
  private final int queryTimeoutSeconds;
  private final ThreadPoolExecutor executor;
  private final ScheduledExecutorService timer;
  private final CopyOnWriteArrayList<RevocationListener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean pollFailed;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean polling = new AtomicBoolean();
  private final AtomicBoolean pollWanted = new AtomicBoolean();
  private volatile long lastPollNanos;
  private final boolean postgres;
  private final String channel;
  private volatile boolean listening;
  private final Thread listener;
  private volatile Connection listenConnection;
  private volatile String probeSent;
  private volatile String probeHeard;
  private final String tickets;
  private final String revocations;
  private final String events;
  private final String deployment;
  private final String deploymentId;
  // poll state, touched only by the one poll running at a time
  private long floor;
  private long maxSeen;
  private final TreeSet<Long> seen = new TreeSet<>();

  /**
   * Creates the schema if asked, reads the current end of the event log and starts polling.
   *
   * @throws IllegalStateException if the database cannot be reached or the schema is missing
   */
  public SqlStore(ConnectionSource connections, Clock clock, Settings settings) {
    this.connections = connections;
    this.clock = clock;
    this.settings = settings;
    this.tickets = settings.tablePrefix() + "tickets";
    this.revocations = settings.tablePrefix() + "revocations";
    this.events = settings.tablePrefix() + "revocation_events";
    this.deployment = settings.tablePrefix() + "deployment";
    this.queryTimeoutSeconds = (int) Math.max(1, (settings.timeout().toMillis() + 999) / 1000);
    AtomicInteger n = new AtomicInteger();
    this.executor = new ThreadPoolExecutor(settings.threads(), settings.threads(), 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(settings.queueSize()), r -> {
          Thread t = new Thread(r, "sse-auth-jdbc-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    Init init;
    try {
      init = CompletableFuture.supplyAsync(this::initialise, executor).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      executor.shutdownNow();
      connections.close();
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("sse-auth JDBC store: cannot use the database (" + cause.getClass().getName()
          + ": " + cause.getMessage() + ")", cause);
    }
    this.postgres = init.postgres();
    this.channel = settings.tablePrefix() + "revocations"; // a safe identifier: the prefix is a-z 0-9 _
    this.returning = init.postgres() && !settings.portableTake();
    this.deploymentId = init.deploymentId();
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sse-auth-jdbc-timer");
      t.setDaemon(true);
      return t;
    });
    long poll = settings.pollInterval().toMillis();
    timer.scheduleWithFixedDelay(() -> schedulePoll(false), poll, poll, TimeUnit.MILLISECONDS);
    if (postgres) {
      listener = new Thread(new Listener(), "sse-auth-jdbc-listen");
      listener.setDaemon(true);
      listener.start();
      long catchUp = CATCH_UP.toMillis();
      timer.scheduleWithFixedDelay(this::probe, catchUp, catchUp, TimeUnit.MILLISECONDS);
    } else {
      listener = null;
    }
    long clean = settings.cleanupInterval().toMillis();
    timer.scheduleWithFixedDelay(() -> cleanUp(), clean, clean, TimeUnit.MILLISECONDS);
  }

  /** Whether takes use {@code DELETE ... RETURNING} (PostgreSQL) rather than the portable transaction. */
  public boolean usesReturning() {
    return returning;
  }

  /** What {@link #initialise()} learns: the database and the deployment id. */
  private record Init(boolean postgres, String deploymentId) {}

  private Init initialise() {
    try {
      Connection c = connections.acquire();
      boolean ok = false;
      try {
        boolean pg = "PostgreSQL".equalsIgnoreCase(c.getMetaData().getDatabaseProductName());
        if (settings.createSchema()) {
          try (Statement s = c.createStatement()) {
            for (String sql : schema(settings.tablePrefix())) {
              s.execute(sql);
            }
          }
        }
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(seq), 0) FROM " + events)) {
          rs.next();
          floor = rs.getLong(1);
          maxSeen = floor;
        }
        String id = readDeploymentId(c);
        ok = true;
        return new Init(pg, id);
      } finally {
        connections.release(c, !ok);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads the deployment id, creating it first if there is none: insert-if-absent that works on every
   * database, since a second node inserting at the same moment fails on the primary key (SQLState
   * 23xxx) and reads the winner's row instead. Runs in auto-commit mode.
   */
  private String readDeploymentId(Connection c) throws SQLException {
    String id = selectDeploymentId(c);
    if (id != null) {
      return id;
    }
    try (PreparedStatement ins = prepare(c, "INSERT INTO " + deployment + " (slot, deployment_id, created_at) VALUES (1, ?, ?)")) {
      ins.setString(1, StoreSupport.randomId(12));
      ins.setLong(2, clock.millis());
      ins.executeUpdate();
    } catch (SQLException e) {
      if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
        throw e;
      }
      // another node created it first
    }
    id = selectDeploymentId(c);
    if (id == null) {
      throw new SQLException("no row in " + deployment + " after inserting one");
    }
    return id;
  }

  private String selectDeploymentId(Connection c) throws SQLException {
    try (PreparedStatement ps = prepare(c, "SELECT deployment_id FROM " + deployment + " WHERE slot = 1");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return null;
      }
      String id = rs.getString(1);
      if (id == null || !id.matches("[A-Za-z0-9_-]{1,64}")) {
        throw new SQLException("the deployment id in " + deployment + " was not written by sse-auth; delete the row");
      }
      return id;
    }
  }

  /** The deployment id kept in the {@code <prefix>deployment} table, read when the store was built. */
  @Override
  public String deploymentId() {
    return deploymentId;
  }

  /** The statements of {@code schema.sql} for a table prefix. */
  public static java.util.List<String> schema(String tablePrefix) {
    String text;
    try (InputStream in = SqlStore.class.getResourceAsStream("/dev/sseauth/jdbc/schema.sql")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("schema.sql missing from the sse-auth-jdbc jar", e);
    }
    StringBuilder sql = new StringBuilder();
    for (String line : text.split("\n")) {
      int comment = line.indexOf("--");
      sql.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
    }
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String stmt : sql.toString().split(";")) {
      String s = stmt.strip();
      if (!s.isEmpty()) {
        out.add(s.replace("sseauth_", tablePrefix));
      }
    }
    return out;
  }

  // ---- plumbing ----

  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> CompletableFuture<T> async(Work<T> work) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException("store closed"));
    }
    try {
      return CompletableFuture.supplyAsync(() -> {
        Connection c;
        try {
          c = connections.acquire();
        } catch (SQLException e) {
          throw new StoreException(e);
        }
        boolean ok = false;
        try {
          T result = work.run(c);
          ok = true;
          return result;
        } catch (SQLException e) {
          throw new StoreException(e);
        } finally {
          connections.release(c, !ok);
        }
      }, executor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** A failed database call; the message is the driver's (never holds a ticket: only hashes are sent). */
  static final class StoreException extends RuntimeException {
    StoreException(SQLException e) {
      super(e.getClass().getName() + " (SQLState " + e.getSQLState() + ")", e);
    }
  }

  private PreparedStatement prepare(Connection c, String sql) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    ps.setQueryTimeout(queryTimeoutSeconds);
    return ps;
  }

  // ---- tickets ----

  @Override
  public CompletionStage<Boolean> putTicket(String ticketHash, TicketGrant grant, int maxPerSubject) {
    long now = clock.millis();
    return async(c -> {
      try (PreparedStatement count = prepare(c, "SELECT COUNT(*) FROM " + tickets + " WHERE subject = ? AND expires_at > ?")) {
        count.setString(1, grant.subject());
        count.setLong(2, now);
        try (ResultSet rs = count.executeQuery()) {
          rs.next();
          if (rs.getLong(1) >= maxPerSubject) {
            return false;
          }
        }
      }
      try (PreparedStatement insert = prepare(c, "INSERT INTO " + tickets
          + " (ticket_hash, subject, attributes, issued_at, expires_at, subject_revoked_at) VALUES (?, ?, ?, ?, ?, ?)")) {
        insert.setString(1, ticketHash);
        insert.setString(2, grant.subject());
        insert.setString(3, encode(grant.attributes()));
        insert.setLong(4, grant.issuedAt().toEpochMilli());
        insert.setLong(5, grant.expiresAt().toEpochMilli());
        if (grant.subjectRevokedAt() == null) {
          insert.setNull(6, java.sql.Types.BIGINT);
        } else {
          insert.setLong(6, grant.subjectRevokedAt().toEpochMilli());
        }
        insert.executeUpdate();
      }
      return true;
    });
  }

  @Override
  public CompletionStage<Optional<TicketGrant>> takeTicket(String ticketHash) {
    return async(c -> returning ? takeReturning(c, ticketHash) : takePortable(c, ticketHash))
        .thenApply(g -> g.filter(grant -> clock.instant().isBefore(grant.expiresAt())));
  }

  private Optional<TicketGrant> takeReturning(Connection c, String hash) throws SQLException {
    try (PreparedStatement ps = prepare(c, "DELETE FROM " + tickets
        + " WHERE ticket_hash = ? RETURNING subject, attributes, issued_at, expires_at, subject_revoked_at")) {
      ps.setString(1, hash);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(grant(rs)) : Optional.empty();
      }
    }
  }

  /** Select, then delete and check the row count, in one transaction: only one deleter sees 1. */
  private Optional<TicketGrant> takePortable(Connection c, String hash) throws SQLException {
    c.setAutoCommit(false);
    boolean committed = false;
    try {
      TicketGrant g;
      try (PreparedStatement ps = prepare(c, "SELECT subject, attributes, issued_at, expires_at, subject_revoked_at FROM " + tickets
          + " WHERE ticket_hash = ?")) {
        ps.setString(1, hash);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          g = grant(rs);
        }
      }
      try (PreparedStatement del = prepare(c, "DELETE FROM " + tickets + " WHERE ticket_hash = ?")) {
        del.setString(1, hash);
        if (del.executeUpdate() != 1) {
          return Optional.empty();
        }
      }
      c.commit();
      committed = true;
      return Optional.of(g);
    } finally {
      if (!committed) {
        c.rollback();
      }
      c.setAutoCommit(true);
    }
  }

  private static TicketGrant grant(ResultSet rs) throws SQLException {
    long known = rs.getLong(5);
    Instant subjectRevokedAt = rs.wasNull() ? null : Instant.ofEpochMilli(known);
    return new TicketGrant(rs.getString(1), decode(rs.getString(2)),
        Instant.ofEpochMilli(rs.getLong(3)), Instant.ofEpochMilli(rs.getLong(4)), subjectRevokedAt);
  }

  static String encode(Map<String, String> attributes) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(attributes).entrySet()) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  static Map<String, String> decode(String s) {
    Map<String, String> out = new LinkedHashMap<>();
    if (s == null || s.isEmpty()) {
      return out;
    }
    for (String pair : s.split("&")) {
      int eq = pair.indexOf('=');
      out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  // ---- revocations ----

  /**
   * Revocation times are stored in whole milliseconds, rounded up: a session that started earlier in
   * the same millisecond as its revocation is still revoked (rounding down would let it escape).
   */
  static long ceilMillis(Instant t) {
    long ms = t.toEpochMilli();
    return t.getNano() % 1_000_000 == 0 ? ms : ms + 1;
  }

  private static String kind(Revocation.Kind k) {
    return k == Revocation.Kind.SESSION ? "S" : "U";
  }

  /**
   * Records the revocation and its event in one transaction: the row is merged (see
   * {@link #updateRevocation}), or inserted if there is none, and the event copies what the row then
   * holds, so every node hears the instant that was recorded.
   */
  @Override
  public CompletionStage<Void> revoke(Revocation r) {
    long now = clock.millis();
    return async(c -> {
      int isolation = c.getTransactionIsolation();
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED); // the merge must see the row another node inserted
      c.setAutoCommit(false);
      boolean committed = false;
      try {
        if (updateRevocation(c, r) == 0) {
          Savepoint beforeInsert = c.setSavepoint();
          try (PreparedStatement ins = prepare(c, "INSERT INTO " + revocations
              + " (kind, id, revoked_at, keep_until) VALUES (?, ?, ?, ?)")) {
            ins.setString(1, kind(r.kind()));
            ins.setString(2, r.id());
            ins.setLong(3, ceilMillis(r.revokedAt()));
            ins.setLong(4, ceilMillis(r.keepUntil()));
            ins.executeUpdate();
          } catch (SQLException e) {
            if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
              throw e;
            }
            c.rollback(beforeInsert);
            if (updateRevocation(c, r) != 1) { // another node inserted it first: merge into its row
              throw new SQLException("the revocation row another node inserted is not visible", "40001");
            }
          }
        }
        try (PreparedStatement ev = prepare(c, "INSERT INTO " + events
            + " (kind, id, revoked_at, keep_until, created_at) SELECT kind, id, revoked_at, keep_until, ? FROM "
            + revocations + " WHERE kind = ? AND id = ?")) {
          ev.setLong(1, now);
          ev.setString(2, kind(r.kind()));
          ev.setString(3, r.id());
          ev.executeUpdate();
        }
        c.commit();
        committed = true;
      } finally {
        if (!committed) {
          c.rollback();
        }
        c.setAutoCommit(true);
        c.setTransactionIsolation(isolation);
      }
      if (postgres) {
        notifyNodes(c, "");
      }
      return null;
    });
  }

  /**
   * Merges a revocation into its row, if there is one: the later keepUntil; for a session the later
   * revokedAt; for a subject the later of the asked revokedAt and one millisecond after the kept one,
   * so a subject's revocations strictly increase. Returns the number of rows updated.
   */
  private int updateRevocation(Connection c, Revocation r) throws SQLException {
    String orElse = r.kind() == Revocation.Kind.SUBJECT ? "revoked_at + 1" : "revoked_at";
    try (PreparedStatement up = prepare(c, "UPDATE " + revocations
        + " SET revoked_at = CASE WHEN revoked_at < ? THEN ? ELSE " + orElse + " END,"
        + " keep_until = CASE WHEN keep_until < ? THEN ? ELSE keep_until END WHERE kind = ? AND id = ?")) {
      long at = ceilMillis(r.revokedAt());
      long keep = ceilMillis(r.keepUntil());
      up.setLong(1, at);
      up.setLong(2, at);
      up.setLong(3, keep);
      up.setLong(4, keep);
      up.setString(5, kind(r.kind()));
      up.setString(6, r.id());
      return up.executeUpdate();
    }
  }

  @Override
  public CompletionStage<RevocationStatus> revocationStatus(String sessionId, String subject) {
    long now = clock.millis();
    return async(c -> {
      try (PreparedStatement ps = prepare(c, "SELECT kind, revoked_at FROM " + revocations
          + " WHERE ((kind = 'S' AND id = ?) OR (kind = 'U' AND id = ?)) AND keep_until > ?")) {
        ps.setString(1, sessionId);
        ps.setString(2, subject);
        ps.setLong(3, now);
        boolean session = false;
        Instant subjectAt = null;
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            if ("S".equals(rs.getString(1))) {
              session = true;
            } else {
              subjectAt = Instant.ofEpochMilli(rs.getLong(2));
            }
          }
        }
        return !session && subjectAt == null ? RevocationStatus.NONE : new RevocationStatus(session, subjectAt);
      }
    });
  }

  @Override
  public AutoCloseable subscribe(RevocationListener listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Polls the events table now, or once the running poll ends; a timer's call ({@code now} false) only if
   * the node does not listen for notifications or has not polled for {@link #CATCH_UP}.
   */
  private void schedulePoll(boolean now) {
    if (!now && listening && System.nanoTime() - lastPollNanos < CATCH_UP.toNanos()) {
      return;
    }
    pollWanted.set(true);
    if (polling.compareAndSet(false, true)) {
      runPoll();
    } // else the running poll runs again when it ends: it may have read before the event committed
  }

  private void runPoll() {
    pollWanted.set(false);
    lastPollNanos = System.nanoTime();
    async(this::poll).whenComplete((v, e) -> {
      if (e != null) {
        pollFailed = true;
      } else if (pollFailed) {
        // events older than the cleanup age may have gone while this node could not read them
        pollFailed = false;
        for (RevocationListener l : listeners) {
          l.resync();
        }
      }
      polling.set(false);
      if (pollWanted.get() && !closed.get() && polling.compareAndSet(false, true)) {
        runPoll();
      }
    });
  }

  /**
   * PostgreSQL's {@code LISTEN} on a connection of its own: every notification wakes the poll. When the
   * connection fails it is made again a second later, and a poll then catches up on what was missed; the
   * timer polls every {@code pollInterval} meanwhile. The driver's {@code PGConnection.getNotifications} is
   * called reflectively: this module does not depend on the driver.
   */
  private final class Listener implements Runnable {
    @Override
    public void run() {
      // Logs nothing: revocations still arrive while it does not listen (by polling), and an outage of the
      // database is the core's one line.
      long backoff = 1000;
      while (!closed.get()) {
        Connection c = null;
        try {
          c = connections.dedicated();
          listenConnection = c;
          Class<?> pgConnection = Class.forName("org.postgresql.PGConnection", true, c.getClass().getClassLoader());
          Class<?> pgNotification = Class.forName("org.postgresql.PGNotification", true, pgConnection.getClassLoader());
          Object pg = c.unwrap(pgConnection);
          Method notifications = pgConnection.getMethod("getNotifications", int.class);
          Method parameter = pgNotification.getMethod("getParameter");
          try (Statement st = c.createStatement()) {
            st.execute("LISTEN " + channel);
          } catch (SQLException e) {
            String state = e.getSQLState();
            if (state != null && (state.startsWith("0A") || state.startsWith("42"))) {
              return; // this server cannot LISTEN: the store polls every pollInterval
            }
            throw e;
          }
          probeSent = null;
          listening = true;
          backoff = 1000;
          schedulePoll(true); // what was recorded while this node did not listen
          while (!closed.get()) {
            Object[] got = (Object[]) notifications.invoke(pg, 1000); // waits up to a second
            if (got != null && got.length > 0) {
              boolean revocation = false;
              for (Object n : got) {
                String p = (String) parameter.invoke(n);
                if (p != null && p.startsWith("probe:")) {
                  if (p.equals(probeSent)) { // other nodes' probes come here too
                    probeHeard = p;
                  }
                } else {
                  revocation = true;
                }
              }
              if (revocation) {
                schedulePoll(true);
              }
            }
          }
        } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
          return; // not PostgreSQL's driver (pgjdbc): the store polls every pollInterval
        } catch (Exception e) {
          // the connection failed: listen again after the back-off
        } finally {
          listening = false;
          listenConnection = null;
          if (c != null) {
            try (Statement st = c.createStatement()) {
              st.execute("UNLISTEN *"); // a pool's connection goes back without a subscription
            } catch (SQLException e) {
              // broken: the pool drops it
            }
            try {
              c.close();
            } catch (SQLException e) {
              // gone already
            }
          }
        }
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException e) {
          return; // closed
        }
        backoff = Math.min(60_000, backoff * 2);
      }
    }
  }

  /**
   * {@code NOTIFY}, best effort, after the revocation committed: a server that cannot (a PostgreSQL-compatible
   * one without it, a full notification queue) costs the other nodes only the wait for their catch-up poll.
   */
  private void notifyNodes(Connection c, String payload) {
    try (PreparedStatement st = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      st.setString(1, channel);
      st.setString(2, payload);
      st.execute();
    } catch (SQLException e) {
      // the catch-up poll delivers it
    }
  }

  /**
   * Proves the listening connection still hears: a notification of its own through the store's connections
   * every {@link #CATCH_UP}; one that has not come back by the next makes the listener connect again
   * (a connection a NAT or a proxy dropped in silence, a pooler that does not pass notifications).
   */
  private void probe() {
    if (!listening) {
      return;
    }
    String sent = probeSent;
    if (sent != null && !sent.equals(probeHeard)) {
      listening = false; // deaf: polled every pollInterval until it listens again
      Connection c = listenConnection;
      if (c != null) {
        try {
          c.close(); // the listener's next wait fails, and it connects again
        } catch (SQLException e) {
          // closed anyway
        }
      }
      probeSent = null;
      return;
    }
    String nonce = "probe:" + StoreSupport.randomId(9);
    probeSent = nonce;
    async(c -> {
      notifyNodes(c, nonce);
      return null;
    });
  }

  /** Whether the node listens for PostgreSQL's notifications now. */
  public boolean listening() {
    return listening;
  }

  /** Reads events past the last seen seq (and a window below it, for late commits) and delivers new ones. */
  private Void poll(Connection c) throws SQLException {
    long from = Math.max(floor, maxSeen - REREAD_WINDOW);
    try (PreparedStatement ps = prepare(c, "SELECT seq, kind, id, revoked_at, keep_until FROM " + events
        + " WHERE seq > ? ORDER BY seq")) {
      ps.setLong(1, from);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long seq = rs.getLong(1);
          if (!seen.add(seq)) {
            continue;
          }
          maxSeen = Math.max(maxSeen, seq);
          Revocation r = new Revocation("S".equals(rs.getString(2)) ? Revocation.Kind.SESSION : Revocation.Kind.SUBJECT,
              rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)), Instant.ofEpochMilli(rs.getLong(5)));
          for (RevocationListener l : listeners) {
            try {
              l.revoked(r);
            } catch (RuntimeException e) {
              LOG.log(Level.WARNING, "sse-auth revocation listener failed: {0}", e.getClass().getName());
            }
          }
        }
      }
    }
    seen.headSet(maxSeen - REREAD_WINDOW, true).clear();
    return null;
  }

  /** Deletes expired tickets, revocations past keepUntil and old events; completes with the rows deleted. */
  public CompletionStage<Integer> cleanUp() {
    long now = clock.millis();
    return async(c -> {
      int n = 0;
      try (PreparedStatement a = prepare(c, "DELETE FROM " + tickets + " WHERE expires_at <= ?")) {
        a.setLong(1, now);
        n += a.executeUpdate();
      }
      try (PreparedStatement b = prepare(c, "DELETE FROM " + revocations + " WHERE keep_until <= ?")) {
        b.setLong(1, now);
        n += b.executeUpdate();
      }
      try (PreparedStatement d = prepare(c, "DELETE FROM " + events + " WHERE created_at < ?")) {
        d.setLong(1, now - EVENT_RETENTION.toMillis());
        n += d.executeUpdate();
      }
      return n;
    });
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    listeners.clear();
    timer.shutdownNow();
    if (listener != null) {
      listener.interrupt();
    }
    executor.shutdown();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
    connections.close();
  }
}
