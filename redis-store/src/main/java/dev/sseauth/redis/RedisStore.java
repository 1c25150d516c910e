package dev.sseauth.redis;

import dev.sseauth.redis.internal.LettuceStore;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreSupport;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Builds the Redis {@link SseAuthStore} for a cluster of sse-auth nodes sharing one Redis: a standalone
 * server, a primary found through Sentinel ({@code redis-sentinel://}), or a Redis Cluster
 * ({@code redis-cluster://host:port,host:port}: every command touches one slot; issuing a ticket is two
 * steps, the per-subject cap then the ticket, and a take or a revocation is acknowledged only once a
 * replica has it, where the slot's master has one). Requires Redis 6.2 or later for {@code GETDEL}; older
 * servers get an equivalent Lua script.
 *
 * <pre>{@code
 * SseAuthStore store = RedisStore.builder().uri("redis://127.0.0.1:6379").build();
 * SseAuth auth = SseAuth.create(SseAuthConfig.builder().tokenSecret(secret).store(store).build());
 * }</pre>
 *
 * <p>What it stores (keys under {@link Builder#keyPrefix(String) the prefix}, default
 * {@code sseauth:}): {@code t:<ticketHash>} a ticket grant with a millisecond TTL, taken with
 * {@code GETDEL}; {@code ts:<subject>} a sorted set of the subject's outstanding tickets for the
 * per-subject cap; {@code rs:<sessionId>} and {@code ru:<subject>} revocations with a TTL until
 * they can no longer matter. Revocations are published on the channel {@code <prefix>revocations}
 * and reach every node's live streams at once. No ticket is ever stored, only its hash.
 *
 * <p>The store connects when built and fails at once if Redis does not answer. After that, an
 * outage fails store calls fast (commands are rejected while disconnected) and the client
 * reconnects by itself within about a second of Redis returning.
 *
 * <p>A subscriber never writes, so it cannot tell when Redis forgets it (a failover, a lost NAT or
 * firewall mapping, a kill whose FIN was lost) while its socket stays open. So every second the store
 * publishes a heartbeat on a channel of its own, {@code <prefix>heartbeat:<random>}, and expects it
 * back on its pub/sub connection; when two heartbeats in a row that Redis accepted have not come back,
 * the older for 5 seconds, it makes the pub/sub connection again and the core looks up every live
 * stream again, so a revocation missed meanwhile still ends its streams, about 7 seconds after the
 * loss at most. One WARNING line (logger {@code dev.sseauth.redis}) reports each such repair.
 */
public final class RedisStore {
  private RedisStore() {}

  /** A builder with the defaults: {@code redis://127.0.0.1:6379}, prefix {@code sseauth:}, 2s timeout. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a Redis store. Each setter of a configuration key validates its value against the key's
   * declaration (its range, its pattern; null is refused) and throws {@link IllegalArgumentException}
   * naming the key, and the value unless it may hold a credential. Not thread-safe.
   */
  public static final class Builder {
    private String uri = RedisStoreProvider.URI_KEY.defaultValue();
    private RedisClient client;
    private String keyPrefix = RedisStoreProvider.KEY_PREFIX_KEY.defaultValue();
    private Duration timeout = RedisStoreProvider.TIMEOUT_KEY.defaultValue();
    private Clock clock = Clock.systemUTC();
    private Duration heartbeatInterval = LettuceStore.HEARTBEAT_INTERVAL;
    private Duration heartbeatDeadline = LettuceStore.HEARTBEAT_DEADLINE;

    private Builder() {}

    /**
     * {@code sseauth.redis.uri}: the server, such as {@code redis://127.0.0.1:6379} or
     * {@code rediss://:password@host:6380/0}.
     *
     * @throws IllegalArgumentException if it is not a Redis URI; the message names the key, never the URI
     */
    public Builder uri(String uri) {
      try {
        if (clusterSeeds(Objects.requireNonNull(uri, "uri")) == null) {
          RedisURI.create(uri);
        }
      } catch (RuntimeException e) {
        throw RedisStoreProvider.URI_KEY.invalid(uri);
      }
      this.uri = uri;
      return this;
    }

    /**
     * The seed nodes of a {@code redis-cluster://[user:password@]host:port[,host:port...]} URI
     * ({@code rediss-cluster://} for TLS); null for any other URI.
     *
     * @throws IllegalArgumentException if it is a cluster URI without a valid host and port
     */
    static List<RedisURI> clusterSeeds(String uri) {
      String lower = uri.toLowerCase(java.util.Locale.ROOT);
      boolean tls = lower.startsWith("rediss-cluster://");
      if (!tls && !lower.startsWith("redis-cluster://")) {
        return null;
      }
      String rest = uri.substring(uri.indexOf("://") + 3);
      int slash = rest.indexOf('/');
      if (slash >= 0) {
        if (slash != rest.length() - 1) {
          throw new IllegalArgumentException("a cluster has no database number");
        }
        rest = rest.substring(0, slash);
      }
      String user = null;
      String password = null;
      int at = rest.indexOf('@');
      if (at >= 0) {
        if (rest.indexOf('@', at + 1) >= 0) {
          throw new IllegalArgumentException("an @ in a user or password must be written %40");
        }
        String info = rest.substring(0, at);
        rest = rest.substring(at + 1);
        int colon = info.indexOf(':');
        if (colon < 0) {
          throw new IllegalArgumentException("user:password@ expected");
        }
        user = percentDecode(info.substring(0, colon));
        password = percentDecode(info.substring(colon + 1));
      }
      List<RedisURI> seeds = new java.util.ArrayList<>();
      for (String hostPort : rest.split(",")) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
          throw new IllegalArgumentException("host:port expected");
        }
        RedisURI.Builder b = RedisURI.builder().withHost(hostPort.substring(0, colon))
            .withPort(Integer.parseInt(hostPort.substring(colon + 1))).withSsl(tls);
        if (password != null) {
          if (user != null && !user.isEmpty()) {
            b.withAuthentication(user, password.toCharArray());
          } else {
            b.withPassword(password.toCharArray());
          }
        }
        seeds.add(b.build());
      }
      return seeds;
    }

    /** Percent-decoding of a URI's user info, where {@code +} is a plus, not a space. */
    private static String percentDecode(String s) {
      return java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Uses the application's own client (its default URI names the server) instead of creating one;
     * the store does not shut it down. Configure it to fail fast while disconnected
     * ({@code DisconnectedBehavior.REJECT_COMMANDS}) and to reconnect promptly, as the store's own
     * client does, or requests during an outage wait for the core's store timeout.
     */
    public Builder client(RedisClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * {@code sseauth.redis.key-prefix}: prepended to every key and the channel name; 0 to 64 of
     * {@code A-Z a-z 0-9 : _ . - { }}. Nodes of one cluster use the same prefix.
     *
     * @throws IllegalArgumentException if it is null or not allowed, naming the key and the value
     */
    public Builder keyPrefix(String prefix) {
      this.keyPrefix = RedisStoreProvider.KEY_PREFIX_KEY.check(prefix);
      return this;
    }

    /**
     * {@code sseauth.redis.timeout}: how long one command may take and how long connecting may take,
     * 10ms to 1m. The core's {@code sseauth.store.timeout} still bounds every request.
     *
     * @throws IllegalArgumentException if it is null or out of range, naming the key and the value
     */
    public Builder timeout(Duration timeout) {
      this.timeout = RedisStoreProvider.TIMEOUT_KEY.check(timeout);
      return this;
    }

    /** The clock that decides expiry; the same as the {@code SseAuthConfig}'s. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How often the store proves that its pub/sub connection still delivers revocations, and how long
     * a heartbeat may take to come back before the connection counts as deaf (a proxy or NAT that
     * dropped it silently) and is made again; defaults 1 s and 5 s. A shorter deadline notices a deaf
     * connection sooner, at the cost of one small publish per interval per node.
     *
     * @throws IllegalArgumentException unless {@code 0 < interval < deadline}
     */
    public Builder heartbeat(Duration interval, Duration deadline) {
      if (interval.isNegative() || interval.isZero() || deadline.compareTo(interval) <= 0) {
        throw new IllegalArgumentException("heartbeat interval must be positive and below the deadline, but was "
            + interval + " and " + deadline);
      }
      this.heartbeatInterval = interval;
      this.heartbeatDeadline = deadline;
      return this;
    }

    /** A client on the cluster of {@code seeds}, or, if null, on the server {@link #uri} names. */
    private AbstractRedisClient newClient(ClientResources resources, List<RedisURI> seeds) {
      if (seeds != null) {
        RedisClusterClient c = RedisClusterClient.create(resources, seeds);
        ClusterClientOptions.Builder options = ClusterClientOptions.builder()
            .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder() // a failover is learnt at once
                .enableAllAdaptiveRefreshTriggers()
                .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                .enablePeriodicRefresh(Duration.ofSeconds(10))
                .build());
        failFast(options);
        c.setOptions(options.build());
        return c;
      }
      RedisClient c = RedisClient.create(resources, RedisURI.create(uri));
      ClientOptions.Builder options = ClientOptions.builder();
      failFast(options);
      c.setOptions(options.build());
      return c;
    }

    /** Reconnects by itself, rejects commands while disconnected, bounds connecting and every command. */
    private void failFast(ClientOptions.Builder options) {
      options.autoReconnect(true)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build())
          .timeoutOptions(TimeoutOptions.enabled(timeout));
    }

    /**
     * Connects and builds the store. Thread-safe; close it (or the {@code SseAuth} it was given to)
     * to release its connections and threads.
     *
     * @throws IllegalStateException if Redis cannot be reached now; neither its message nor its causes'
     *     hold the URI's user or password
     */
    public SseAuthStore build() {
      if (client != null) {
        return new LettuceStore(client, null, false, keyPrefix, clock, false, heartbeatInterval, heartbeatDeadline);
      }
      ClientResources resources = DefaultClientResources.builder()
          .ioThreadPoolSize(2)
          .computationThreadPoolSize(2)
          .reconnectDelay(Delay.exponential(Duration.ofMillis(20), Duration.ofMillis(500), 2, TimeUnit.MILLISECONDS))
          .build();
      AbstractRedisClient owned;
      try {
        owned = newClient(resources, clusterSeeds(uri));
      } catch (RuntimeException e) {
        resources.shutdown(0, 2, TimeUnit.SECONDS);
        throw StoreSupport.scrub(e, StoreSupport.uriCredentials(uri));
      }
      try {
        return new LettuceStore(owned, resources, true, keyPrefix, clock, false, heartbeatInterval,
            heartbeatDeadline);
      } catch (RuntimeException e) {
        throw StoreSupport.scrub(e, StoreSupport.uriCredentials(uri));
      }
    }

  }
}
