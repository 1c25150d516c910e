package dev.sseauth.redis.internal;

import dev.sseauth.spi.Revocation;
import dev.sseauth.spi.RevocationListener;
import dev.sseauth.spi.RevocationStatus;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreSupport;
import dev.sseauth.spi.TicketGrant;
import io.lettuce.core.KeyValue;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The Redis store over Lettuce's asynchronous API: one multiplexed command connection and one
 * pub/sub connection, which a {@link PubSubWatchdog} proves with heartbeats and makes again when it goes
 * deaf. No call blocks the caller; results complete on Lettuce's I/O threads, and revocation listeners
 * run on a thread of the store. Thread-safe.
 *
 * <p>Layout under the prefix {@code p}: {@code p t:<hash>} ticket grant (PX until expiry);
 * {@code p ts:<subject>} sorted set of the subject's outstanding ticket hashes scored by expiry (the
 * per-subject cap); {@code p rs:<sessionId>} and {@code p ru:<subject>} revocations
 * ({@code <revokedAtMillis>:<keepUntilMillis>}, PX until {@code keepUntil}); channel
 * {@code p revocations} carries every revocation to every node; {@code p deployment} holds the
 * {@link #deploymentId() deployment id} (no expiry); channel {@code p heartbeat:<random>}, one per
 * store instance, carries the heartbeats by which the store proves its pub/sub connection still
 * delivers (see {@link PubSubWatchdog}).
 */
public final class LettuceStore implements SseAuthStore {
  private static final Logger LOG = System.getLogger("dev.sseauth.redis");

  /** Drops the subject's expired tickets, checks the cap, stores the grant and indexes it, atomically. */
  static final String PUT = """
      redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
      if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 0 end
      redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[6])
      redis.call('ZADD', KEYS[2], ARGV[2], ARGV[5])
      if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[6]) then redis.call('PEXPIRE', KEYS[2], ARGV[6]) end
      return 1
      """;

  /**
   * Redis Cluster's half of {@link #PUT}: the cap and the index on the subject's key alone (the ticket's key
   * lives in another slot and is set next, by itself). ARGV: expiresAt score, now, max, hash, ttl.
   */
  static final String CAP = """
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
      if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
      redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
      if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[5]) then redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
      return 1
      """;

  /** The atomic take for servers older than 6.2 (no GETDEL). */
  static final String TAKE = """
      local v = redis.call('GET', KEYS[1])
      if v then redis.call('DEL', KEYS[1]) end
      return v
      """;

  /**
   * Records a revocation and publishes what it recorded, atomically. Keeps the later keepUntil; a
   * session revocation keeps the later revokedAt, a subject revocation is recorded at the later of the
   * one asked for and one millisecond after the one kept, so a subject's revocations strictly increase
   * (see {@code SseAuthStore#revoke}). Millisecond numbers are below 2^53, exact in Lua's doubles.
   * ARGV: revokedAt, keepUntil, ttl, channel, kind (S or U), encoded id. Returns the recorded revokedAt.
   */
  static final String REVOKE = """
      local at, keep = tonumber(ARGV[1]), tonumber(ARGV[2])
      local cur = redis.call('GET', KEYS[1])
      if cur then
        local sep = string.find(cur, ':', 1, true)
        if not sep then return redis.error_reply('unreadable revocation record') end
        local a, k = tonumber(string.sub(cur, 1, sep - 1)), tonumber(string.sub(cur, sep + 1))
        if ARGV[5] == 'U' and a >= at then at = a + 1 elseif a > at then at = a end
        if k > keep then keep = k end
      end
      local ttl = tonumber(ARGV[3])
      local pttl = redis.call('PTTL', KEYS[1])
      if pttl > ttl then ttl = pttl end
      local a, k = string.format('%.0f', at), string.format('%.0f', keep)
      redis.call('SET', KEYS[1], a .. ':' .. k, 'PX', ttl)
      redis.call('PUBLISH', ARGV[4], '1\\n' .. ARGV[5] .. '\\n' .. a .. '\\n' .. k .. '\\n' .. ARGV[6])
      return a
      """;

  private final AbstractRedisClient client;
  /** The cluster's connection, or null on a standalone server. */
  private final StatefulRedisClusterConnection<String, String> cluster;
  private final ClientResources ownedResources;
  private final boolean ownsClient;
  private final String prefix;
  private final String channel;
  private final Clock clock;
  private final boolean getdel;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterAsyncCommands<String, String> redis;
  private final String heartbeatChannel;
  private final RedisPubSubAdapter<String, String> pubsubListener;
  /** Guards replacing {@link #pubsub} against {@link #close()}. */
  private final Object pubsubLock = new Object();
  private volatile StatefulRedisPubSubConnection<String, String> pubsub;
  private final PubSubWatchdog watchdog;
  private final CopyOnWriteArrayList<RevocationListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean subscribedOnce = new AtomicBoolean();
  private final ExecutorService events;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final String putSha;
  private final String capSha;
  private final String takeSha;
  private final String revokeSha;
  private final String deploymentKey;
  private volatile String deploymentId;

  /** What a deployment id looks like: 1 to 64 of A-Z a-z 0-9 - _ (see {@link SseAuthStore#deploymentId()}). */
  private static final Pattern DEPLOYMENT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  /** How often a deployment id read after a reconnect is retried while the command link is not back yet. */
  private static final int REREAD_ATTEMPTS = 50;
  /** How often the store publishes a heartbeat to prove its pub/sub connection, by default. */
  public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
  /**
   * How long a heartbeat Redis accepted may take to come back on the pub/sub connection before the
   * connection counts as deaf and is made again, by default: five intervals, so a loaded node or server
   * does not cause needless repairs.
   */
  public static final Duration HEARTBEAT_DEADLINE = Duration.ofSeconds(5);

  /**
   * Connects (blocking, once, at startup), subscribes to the revocation channel and starts proving the
   * subscription (see {@link PubSubWatchdog}).
   *
   * @param client a {@link RedisClient} (its default URI is the server) or a {@link RedisClusterClient}
   *     (Redis Cluster: every command touches one slot; a take and a revocation are acknowledged only once a
   *     replica has them, where the slot's master has one)
   * @param ownedResources resources to shut down on close, or null if the caller owns them
   * @param ownsClient whether {@link #close()} shuts the client down
   * @param prefix key prefix
   * @param clock decides expiry
   * @param scriptTake take tickets with the Lua script even where the server has GETDEL (Redis 6.2+)
   * @param heartbeatInterval how often the pub/sub connection is proven; positive
   * @param heartbeatDeadline how long a heartbeat may take to come back; longer than the interval
   * @throws IllegalStateException if the server cannot be reached
   */
  public LettuceStore(AbstractRedisClient client, ClientResources ownedResources, boolean ownsClient, String prefix,
      Clock clock, boolean scriptTake, Duration heartbeatInterval, Duration heartbeatDeadline) {
    this.client = client;
    this.ownedResources = ownedResources;
    this.ownsClient = ownsClient;
    this.prefix = prefix;
    this.channel = prefix + "revocations";
    this.deploymentKey = prefix + "deployment";
    this.heartbeatChannel = prefix + "heartbeat:" + StoreSupport.randomId(9);
    this.clock = clock;
    StatefulConnection<String, String> c = null;
    StatefulRedisPubSubConnection<String, String> ps = null;
    try {
      RedisClusterCommands<String, String> sync;
      RedisClusterAsyncCommands<String, String> a;
      if (client instanceof RedisClusterClient cc) {
        StatefulRedisClusterConnection<String, String> conn = cc.connect();
        c = conn;
        this.cluster = conn;
        // connect to every node now, replicas too (a failover makes one a master): while the client is still
        // connecting to a node, commands for it are rejected (REJECT_COMMANDS); one that cannot be reached now
        // is connected to at its first command
        for (RedisClusterNode n : conn.getPartitions()) {
          if (!n.is(RedisClusterNode.NodeFlag.FAIL)) {
            try {
              conn.getConnection(n.getUri().getHost(), n.getUri().getPort());
              conn.getConnection(n.getNodeId());
            } catch (RuntimeException e) {
              // later
            }
          }
        }
        sync = conn.sync();
        a = conn.async();
      } else {
        StatefulRedisConnection<String, String> conn = ((RedisClient) client).connect();
        c = conn;
        this.cluster = null;
        sync = conn.sync();
        a = conn.async();
      }
      String version = serverVersion(sync.info("server"));
      this.getdel = !scriptTake && atLeast(version, 6, 2);
      // a cluster loads a script on every node, failed ones too: there the digest is computed here and each
      // node learns a script at its first EVAL (the NOSCRIPT fallback of script())
      this.putSha = cluster != null ? sha1(PUT) : sync.scriptLoad(PUT);
      this.capSha = cluster != null ? sha1(CAP) : sync.scriptLoad(CAP);
      this.takeSha = cluster != null ? sha1(TAKE) : sync.scriptLoad(TAKE);
      this.revokeSha = cluster != null ? sha1(REVOKE) : sync.scriptLoad(REVOKE);
      this.deploymentId = readDeploymentId(sync);
      this.events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sse-auth-redis-revocations");
        t.setDaemon(true);
        return t;
      });
      this.pubsubListener = new RedisPubSubAdapter<>() {
        @Override
        public void message(String ch, String message) {
          if (channel.equals(ch)) {
            deliver(message);
          } else if (heartbeatChannel.equals(ch)) {
            PubSubWatchdog w = watchdog;
            if (w != null) { // null only before the constructor returns, when no heartbeat was published yet
              w.heard(message);
            }
          }
        }

        /**
         * Lettuce subscribes again by itself after it reconnects, and the watchdog subscribes a new
         * connection when the old one went deaf: whatever was published meanwhile never reaches this node,
         * so the listeners look up their sessions again. The server may have restarted without its data:
         * the deployment id is read again (see {@link #deploymentId()}).
         */
        @Override
        public void subscribed(String ch, long count) {
          if (channel.equals(ch) && !subscribedOnce.compareAndSet(false, true)) {
            rereadDeploymentId(REREAD_ATTEMPTS);
            notifyListeners(RevocationListener::resync);
          }
        }
      };
      ps = openPubSub();
      this.connection = c;
      this.redis = a;
      this.pubsub = ps;
      this.watchdog = new PubSubWatchdog(heartbeatInterval, heartbeatDeadline,
          beat -> redis.publish(heartbeatChannel, beat), () -> pubsub.isOpen(), this::replacePubSub);
    } catch (RuntimeException e) {
      if (ps != null) {
        ps.close();
      }
      if (c != null) {
        c.close();
      }
      shutdownClient();
      throw new IllegalStateException("sse-auth Redis store: cannot connect to Redis (" + e.getClass().getName()
          + ": " + e.getMessage() + ")", e);
    }
  }

  /**
   * A new pub/sub connection, subscribed to the revocation and heartbeat channels. Blocks for at most
   * the client's connect and command timeouts.
   *
   * @throws RuntimeException if the client cannot connect or subscribe
   */
  private StatefulRedisPubSubConnection<String, String> openPubSub() {
    StatefulRedisPubSubConnection<String, String> ps = client instanceof RedisClusterClient cc
        ? cc.connectPubSub() : ((RedisClient) client).connectPubSub(); // a cluster's PUBLISH reaches every node
    try {
      ps.addListener(pubsubListener);
      ps.sync().subscribe(channel, heartbeatChannel);
      return ps;
    } catch (RuntimeException e) {
      ps.closeAsync();
      throw e;
    }
  }

  /**
   * Puts a new, subscribed pub/sub connection in place of the current one, which is deaf, and closes
   * that. The new subscription makes the listeners resync (see the listener's {@code subscribed}). Runs
   * on the watchdog's thread.
   */
  private void replacePubSub() {
    StatefulRedisPubSubConnection<String, String> fresh = openPubSub();
    StatefulRedisPubSubConnection<String, String> old;
    synchronized (pubsubLock) {
      if (closed.get()) {
        old = fresh;
      } else {
        old = pubsub;
        pubsub = fresh;
      }
    }
    old.closeAsync();
  }

  /** Creates the deployment id if there is none ({@code SET NX}, no expiry), then reads the one kept. */
  private String readDeploymentId(RedisClusterCommands<String, String> sync) {
    for (int i = 0; i < 3; i++) {
      sync.set(deploymentKey, StoreSupport.randomId(12), SetArgs.Builder.nx());
      String id = sync.get(deploymentKey);
      if (id != null) {
        if (!DEPLOYMENT_ID.matcher(id).matches()) {
          throw new IllegalStateException("the deployment id under the key " + deploymentKey
              + " was not written by sse-auth; delete the key");
        }
        return id;
      }
    }
    throw new IllegalStateException("the deployment id under the key " + deploymentKey + " keeps disappearing");
  }

  /**
   * After a reconnect: creates the deployment id if the server lost it, and adopts the one it keeps.
   * Every node reconnecting after a restart that lost the data adopts the same new id (the first
   * {@code SET NX} wins), so the tokens minted before, whose revocations were lost with the data, no
   * longer verify anywhere. Retried while the command link is not back yet; never blocks.
   */
  private void rereadDeploymentId(int attemptsLeft) {
    if (closed.get()) {
      return;
    }
    redis.set(deploymentKey, StoreSupport.randomId(12), SetArgs.Builder.nx())
        .thenCompose(ok -> redis.get(deploymentKey))
        .whenComplete((id, e) -> {
          if (e == null && id != null && DEPLOYMENT_ID.matcher(id).matches()) {
            if (!id.equals(deploymentId)) {
              LOG.log(Level.WARNING, "sse-auth Redis store: the deployment id under {0} was lost (Redis restarted without"
                  + " its data?) and is now new: session tokens minted before no longer verify", deploymentKey);
              deploymentId = id;
            }
          } else if (attemptsLeft > 1) {
            try {
              CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS, events).execute(() -> rereadDeploymentId(attemptsLeft - 1));
            } catch (java.util.concurrent.RejectedExecutionException closing) {
              // closed
            }
          }
        });
  }

  /** The deployment id kept under {@code <prefix>deployment}; read again after every reconnect. */
  @Override
  public String deploymentId() {
    return deploymentId;
  }

  /** The SHA-1 digest EVALSHA names a script by, as Redis computes it. */
  static String sha1(String script) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-1").digest(script.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder();
      for (byte b : d) {
        hex.append(String.format("%02x", b));
      }
      return hex.toString();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String serverVersion(String info) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("redis_version:")) {
        return line.substring("redis_version:".length()).trim();
      }
    }
    return "0";
  }

  static boolean atLeast(String version, int major, int minor) {
    String[] p = version.split("\\.");
    try {
      int ma = Integer.parseInt(p[0]);
      int mi = p.length > 1 ? Integer.parseInt(p[1]) : 0;
      return ma > major || (ma == major && mi >= minor);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Whether takes use GETDEL (true) or the Lua fallback (false). */
  public boolean usesGetdel() {
    return getdel;
  }

  private void deliver(String message) {
    Revocation r;
    try {
      r = Codec.revocation(message);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "sse-auth Redis store: ignored a malformed message on channel {0}", channel);
      return;
    }
    notifyListeners(l -> l.revoked(r));
  }

  private void notifyListeners(Consumer<RevocationListener> call) {
    try {
      events.execute(() -> {
        for (RevocationListener l : listeners) {
          try {
            call.accept(l);
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "sse-auth revocation listener failed: {0}", e.getClass().getName());
          }
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed
    }
  }

  private String ticketKey(String hash) {
    return prefix + "t:" + hash;
  }

  private String subjectKey(String subject) {
    return prefix + "ts:" + Codec.enc(subject);
  }

  private String revocationKey(Revocation.Kind kind, String id) {
    return prefix + (kind == Revocation.Kind.SESSION ? "rs:" : "ru:") + Codec.enc(id);
  }

  private long ttlMillis(Instant until) {
    return Math.max(1, until.toEpochMilli() - clock.millis());
  }

  /** EVALSHA, and EVAL once if the server lost its script cache (restart, SCRIPT FLUSH). */
  private <T> CompletionStage<T> script(String sha, String body, ScriptOutputType type, String[] keys, String... args) {
    CompletionStage<T> first = redis.evalsha(sha, type, keys, args);
    return first.exceptionallyCompose(e -> {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof RedisNoScriptException) {
        return redis.<T>eval(body, type, keys, args);
      }
      return CompletableFuture.failedFuture(cause);
    });
  }

  @Override
  public CompletionStage<Boolean> putTicket(String ticketHash, TicketGrant grant, int maxPerSubject) {
    String ttl = Long.toString(ttlMillis(grant.expiresAt()));
    if (cluster != null) {
      // two slots: the cap and index first, then the grant. A failure between them leaves an index entry
      // without a ticket, which counts against the subject's cap until the ticket would have expired.
      CompletionStage<Long> capped = script(capSha, CAP, ScriptOutputType.INTEGER, new String[] {subjectKey(grant.subject())},
          Long.toString(grant.expiresAt().toEpochMilli()), Long.toString(clock.millis()), Integer.toString(maxPerSubject),
          ticketHash, ttl);
      return capped.thenCompose(n -> n == null || n != 1L ? CompletableFuture.completedFuture(false)
          : redis.set(ticketKey(ticketHash), Codec.grant(grant), SetArgs.Builder.px(Long.parseLong(ttl)))
              .thenApply("OK"::equals));
    }
    CompletionStage<Long> r = script(putSha, PUT, ScriptOutputType.INTEGER,
        new String[] {ticketKey(ticketHash), subjectKey(grant.subject())},
        Codec.grant(grant), Long.toString(grant.expiresAt().toEpochMilli()), Long.toString(clock.millis()),
        Integer.toString(maxPerSubject), ticketHash, ttl);
    return r.thenApply(n -> n != null && n == 1L);
  }

  @Override
  public CompletionStage<Optional<TicketGrant>> takeTicket(String ticketHash) {
    String key = ticketKey(ticketHash);
    CompletionStage<String> taken = cluster != null
        ? replicated(key, node -> getdel ? node.getdel(key) : node.<String>eval(TAKE, ScriptOutputType.VALUE, key))
        : getdel ? redis.getdel(key)
        : script(takeSha, TAKE, ScriptOutputType.VALUE, new String[] {key});
    return taken.thenCompose(v -> {
      if (v == null) {
        return CompletableFuture.completedFuture(Optional.<TicketGrant>empty());
      }
      TicketGrant g = Codec.grant(v);
      Optional<TicketGrant> result = clock.instant().isBefore(g.expiresAt()) ? Optional.of(g) : Optional.empty();
      // the grant is ours already; removing it from the subject's cap index is housekeeping
      return redis.zrem(subjectKey(g.subject()), ticketHash).handle((n, e) -> result);
    });
  }

  @Override
  public CompletionStage<Void> revoke(Revocation r) {
    String key = revocationKey(r.kind(), r.id());
    String[] args = {Long.toString(Codec.ceilMillis(r.revokedAt())), Long.toString(Codec.ceilMillis(r.keepUntil())),
        Long.toString(ttlMillis(r.keepUntil())), channel, r.kind() == Revocation.Kind.SESSION ? "S" : "U",
        Codec.enc(r.id())};
    CompletionStage<String> done = cluster != null
        ? replicated(key, node -> node.<String>eval(REVOKE, ScriptOutputType.VALUE, new String[] {key}, args))
        : script(revokeSha, REVOKE, ScriptOutputType.VALUE, new String[] {key}, args);
    return done.thenApply(n -> null);
  }

  /**
   * Redis Cluster: {@code write} on the master that holds {@code key}'s slot now, completed only once its
   * replicas have it too ({@code WAIT}: every replica this node's topology knows as alive, and at least as
   * many as the master itself serves now), so that a failover cannot undo an
   * acknowledged take or revocation (replication is asynchronous). A slot that moved meanwhile, or no
   * replica acknowledging within the command timeout, fails the call: the core refuses (503), and a ticket
   * whose take was not acknowledged is redeemed at most once, later, wherever it survives.
   */
  private <T> CompletionStage<T> replicated(String key,
      java.util.function.Function<RedisClusterAsyncCommands<String, String>, CompletionStage<T>> write) {
    RedisClusterNode master = cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(key));
    if (master == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("no master for the key's slot"));
    }
    // every replica the topology knows as alive: the one a failover promotes must have the write
    int known = (int) cluster.getPartitions().stream()
        .filter(n -> master.getNodeId().equals(n.getSlaveOf()) && !n.is(RedisClusterNode.NodeFlag.FAIL)).count();
    // a replica in step acknowledges within milliseconds; a WAIT blocks its node connection while it waits,
    // so a lagging replica refuses takes quickly rather than queueing every take of that master behind it
    long waitMillis = Math.max(1, Math.min(250, cluster.getTimeout().toMillis() / 2));
    CompletionStage<T> done = cluster.getConnectionAsync(master.getNodeId()).thenCompose(connection -> {
      RedisClusterAsyncCommands<String, String> node = connection.async();
      CompletionStage<T> written = write.apply(node);
      // and every replica the master itself serves now (ROLE, pipelined with the write): this node's view of
      // the topology may be older than the master's (a replica that rejoined after a failover)
      CompletionStage<Integer> serving = node.role().handle((role, e) -> e == null ? replicasOf(role) : 0);
      return written.thenCompose(v -> serving.thenCompose(online -> {
        int replicas = Math.max(known, online);
        return replicas == 0 ? CompletableFuture.completedFuture(v)
            : node.waitForReplication(replicas, waitMillis).thenCompose(acked -> acked != null && acked >= replicas
                ? CompletableFuture.completedFuture(v)
                : CompletableFuture.failedFuture(new IllegalStateException("the replicas did not acknowledge the write")));
      }));
    });
    return done.whenComplete((v, e) -> {
      if (e != null && client instanceof RedisClusterClient cc) {
        cc.refreshPartitionsAsync(); // a MOVED on a node's own connection does not make the client look
      }
    });
  }

  /** The replicas a master's {@code ROLE} reply lists ({@code master, offset, [[host, port, offset]...]}); else 0. */
  static int replicasOf(List<Object> role) {
    return role != null && role.size() >= 3 && "master".equals(String.valueOf(role.get(0))) && role.get(2) instanceof List<?> l
        ? l.size() : 0;
  }

  @Override
  public CompletionStage<RevocationStatus> revocationStatus(String sessionId, String subject) {
    return redis.mget(revocationKey(Revocation.Kind.SESSION, sessionId), revocationKey(Revocation.Kind.SUBJECT, subject))
        .thenApply(this::status);
  }

  private RevocationStatus status(List<KeyValue<String, String>> values) {
    long now = clock.millis();
    long[] session = kept(values.get(0), now);
    long[] subject = kept(values.get(1), now);
    if (session == null && subject == null) {
      return RevocationStatus.NONE;
    }
    return new RevocationStatus(session != null, subject == null ? null : Instant.ofEpochMilli(subject[0]));
  }

  /** {revokedAt, keepUntil} of a stored revocation still kept at {@code now}, or null. */
  private static long[] kept(KeyValue<String, String> kv, long now) {
    if (kv == null || !kv.hasValue()) {
      return null;
    }
    String v = kv.getValue();
    int sep = v.indexOf(':');
    if (sep < 0) { // not written by this store: fail closed (the caller reports the store unavailable)
      throw new IllegalStateException("unreadable revocation record");
    }
    long at = Long.parseLong(v.substring(0, sep));
    long keep = Long.parseLong(v.substring(sep + 1));
    return keep > now ? new long[] {at, keep} : null;
  }

  @Override
  public AutoCloseable subscribe(RevocationListener listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    listeners.clear();
    watchdog.close();
    events.shutdownNow();
    StatefulRedisPubSubConnection<String, String> ps;
    synchronized (pubsubLock) {
      ps = pubsub;
    }
    ps.close();
    connection.close();
    shutdownClient();
  }

  private void shutdownClient() {
    if (ownsClient) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (ownedResources != null) {
      ownedResources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }
}
