package dev.sseauth.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.sseauth.testing.Tickets.handshakeId;
import static dev.sseauth.testing.Tickets.redeem;
import static dev.sseauth.testing.Tickets.ticket;

import dev.sseauth.adapter.Allowed;
import dev.sseauth.Denied;
import dev.sseauth.IssuedTicket;
import dev.sseauth.adapter.LiveStream;
import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.StreamRequest;
import dev.sseauth.spi.Revocation;
import dev.sseauth.spi.RevocationListener;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.TicketGrant;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.LogCapture;
import dev.sseauth.testing.RecordingOutput;
import dev.sseauth.testing.TcpProxy;
import dev.sseauth.testing.TestKeys;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pub/sub connection can die without its client noticing: the server forgets the subscriber (a
 * failover, a lost NAT or firewall mapping, a kill whose FIN is lost) while the client, which never
 * writes on that connection, keeps waiting for messages. The store proves the connection with its own
 * heartbeats and re-creates it when they stop coming back.
 */
class RedisPubSubWatchdogTest {

  private final String prefix = TestRedis.uniquePrefix("watchdog");
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).close();
    }
    TestRedis.deleteKeys(prefix);
  }

  private <T extends AutoCloseable> T closedAfter(T resource) {
    cleanup.add(resource);
    return resource;
  }

  private static <T> T get(CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  /** A store on 127.0.0.1:{@code port} with its own client, or with one the application made. */
  private SseAuthStore store(int port, boolean appClient, Duration interval, Duration deadline) {
    RedisStore.Builder b = RedisStore.builder().keyPrefix(prefix).timeout(Duration.ofMillis(500)).heartbeat(interval, deadline);
    if (appClient) {
      RedisClient client = RedisClient.create(RedisURI.create("redis://127.0.0.1:" + port));
      client.setOptions(ClientOptions.builder()
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(500)))
          .build());
      closedAfter(client::shutdown); // after the store, which does not shut it down
      b.client(client);
    } else {
      b.uri("redis://127.0.0.1:" + port);
    }
    return closedAfter(b.build());
  }

  private SseAuth node(SseAuthStore store) {
    return closedAfter(SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET)
        .storeTimeout(Duration.ofMillis(500)).streamCheckInterval(Duration.ofMillis(50)).store(store).build()));
  }

  /** Every heartbeat published under the prefix, counted per channel, as any other subscriber sees them. */
  private static final class Heartbeats implements AutoCloseable {
    private final RedisClient client = RedisClient.create(TestRedis.URI);
    private final StatefulRedisPubSubConnection<String, String> connection;
    private final Map<String, AtomicInteger> perChannel = new ConcurrentHashMap<>();

    Heartbeats(String prefix) {
      connection = client.connectPubSub();
      connection.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String pattern, String channel, String message) {
          perChannel.computeIfAbsent(channel, c -> new AtomicInteger()).incrementAndGet();
        }
      });
      connection.sync().psubscribe(prefix + "heartbeat:*");
    }

    Set<String> channels() {
      return Set.copyOf(perChannel.keySet());
    }

    /** The fewest heartbeats of any channel in {@code channels}, 0 if fewer channels were heard. */
    int fewest(int channels) {
      if (perChannel.size() < channels) {
        return 0;
      }
      return perChannel.values().stream().mapToInt(AtomicInteger::get).min().orElse(0);
    }

    @Override
    public void close() {
      connection.close();
      client.shutdown();
    }
  }

  /** What a store told its listener, in order. */
  private static final class Heard implements RevocationListener {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public void revoked(Revocation r) {
      calls.add("revoked " + r.kind() + " " + r.id());
    }

    @Override
    public void resync() {
      calls.add("resync");
    }
  }

  @ParameterizedTest(name = "the application''s own client: {0}")
  @ValueSource(booleans = {false, true})
  void revokeWhenPubSubLinkHalfOpenThenLiveStreamOnCutOffNodeEndsWithinDeadline(boolean appClient) throws Exception {
    TcpProxy proxy = closedAfter(new TcpProxy(TestRedis.PORT));
    LogCapture log = closedAfter(new LogCapture("dev.sseauth.redis"));
    SseAuth node = node(store(proxy.port(), appClient, Duration.ofSeconds(1), Duration.ofSeconds(3)));
    SseAuth other = node(store(TestRedis.PORT, false, Duration.ofSeconds(1), Duration.ofSeconds(3)));
    assertThat(proxy.accepted()).as("the command connection, then the pub/sub connection").isEqualTo(2);

    Allowed allowed = (Allowed) redeem(node, ticket(node, "ivy"));
    String id = handshakeId(allowed);
    RecordingOutput out = new RecordingOutput();
    try (LiveStream stream = allowed.open(out)) {
      assertThat(stream.session().principal().subject()).isEqualTo("ivy");
      // a round trip on the node's command connection after the stream opened: the stream's own lookup,
      // sent before it on that connection, is answered, so only the watchdog can end the stream now
      assertThat(get(node.issueTicket(SsePrincipal.of("ivy")))).isInstanceOf(IssuedTicket.class);
      proxy.halfOpen(1); // Redis forgets the subscriber; the node hears nothing of it
      get(other.revokeSubject("ivy"));
      // the node's command connection knows: a reconnect is refused ...
      assertThat(get(node.decide(StreamRequest.get(null, id, null)))).isInstanceOfSatisfying(Denied.class,
          d -> assertThat(d.reason()).isEqualTo(Reason.SESSION_REVOKED));
      // ... and the live stream ends too, within interval + deadline + interval + the repair (rotation is 10 min away)
      Await.until(Duration.ofSeconds(10), "the live stream on the cut-off node ends", () -> out.ended() != null);
      assertThat(out.ended()).isEqualTo(Reason.SESSION_REVOKED);
    }
    assertThat(proxy.accepted()).as("the pub/sub connection was made again").isEqualTo(3);
    List<String> warnings = log.at(Level.WARNING).stream().map(r -> r.getMessage()).toList();
    assertThat(warnings).as("one line for the repair").hasSize(1);
    assertThat(warnings.get(0)).contains("pub/sub");
  }

  @Test
  void heartbeatsWhenLinksHealthyThenNoListenerHearsThemAndNothingIsLogged() throws Exception {
    Heartbeats heartbeats = closedAfter(new Heartbeats(prefix));
    LogCapture log = closedAfter(new LogCapture("dev.sseauth.redis"));
    SseAuthStore a = store(TestRedis.PORT, false, Duration.ofMillis(50), Duration.ofSeconds(2));
    SseAuthStore b = store(TestRedis.PORT, false, Duration.ofMillis(50), Duration.ofSeconds(2));
    Heard heardA = new Heard();
    Heard heardB = new Heard();
    closedAfter(a.subscribe(heardA));
    closedAfter(b.subscribe(heardB));

    Await.until(Duration.ofSeconds(10), "20 heartbeats from each of the two stores", () -> heartbeats.fewest(2) >= 20);
    assertThat(heardA.calls).isEmpty();
    assertThat(heardB.calls).isEmpty();
    assertThat(log.records()).as("nothing logged, at any level").isEmpty();

    // the listeners were listening all along: a revocation reaches both, and nothing else does
    Instant now = Instant.now();
    get(a.revoke(new Revocation(Revocation.Kind.SESSION, "s-1", now, now.plusSeconds(60))));
    Await.until(Duration.ofSeconds(5), "both listeners hear the revocation",
        () -> !heardA.calls.isEmpty() && !heardB.calls.isEmpty());
    assertThat(heardA.calls).containsExactly("revoked SESSION s-1");
    assertThat(heardB.calls).containsExactly("revoked SESSION s-1");
    assertThat(log.records()).isEmpty();
  }

  @Test
  void healthyLinkWhenBusyForManyDeadlinesThenNeverRepaired() throws Exception {
    Heartbeats heartbeats = closedAfter(new Heartbeats(prefix));
    TcpProxy proxy = closedAfter(new TcpProxy(TestRedis.PORT));
    LogCapture log = closedAfter(new LogCapture("dev.sseauth.redis"));
    SseAuthStore store = store(proxy.port(), false, Duration.ofMillis(100), Duration.ofMillis(1000));
    Heard heard = new Heard();
    closedAfter(store.subscribe(heard));

    // ordinary traffic on the command connection while 40 intervals (4 deadlines) pass
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    int round = 0;
    while (heartbeats.fewest(1) < 40) {
      if (System.nanoTime() > giveUp) {
        throw new AssertionError("timed out after 20 s waiting for 40 heartbeats; heard " + heartbeats.fewest(1));
      }
      Instant now = Instant.now();
      String hash = "h" + round;
      assertThat(get(store.putTicket(hash, new TicketGrant("s" + round % 7, Map.of(), now, now.plusSeconds(30), null), 5)))
          .isTrue();
      assertThat(get(store.takeTicket(hash))).isPresent();
      get(store.revocationStatus("sid" + round, "s" + round % 7));
      if (round % 10 == 0) {
        get(store.revoke(new Revocation(Revocation.Kind.SESSION, "sid" + round, now, now.plusSeconds(60))));
      }
      round++;
    }
    assertThat(heartbeats.channels()).as("one node, one heartbeat channel").hasSize(1);
    assertThat(proxy.accepted()).as("still the first two connections").isEqualTo(2);
    assertThat(heard.calls).as("revocations only, never a resync").allMatch(c -> c.startsWith("revoked "));
    assertThat(log.records()).as("nothing logged").isEmpty();
  }

  @Test
  void closeThenHeartbeatsStopAndNoThreadOfTheStoreIsLeft() throws Exception {
    Heartbeats heartbeats = closedAfter(new Heartbeats(prefix));
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    SseAuthStore store = store(TestRedis.PORT, false, Duration.ofMillis(50), Duration.ofSeconds(2));
    Await.until(Duration.ofSeconds(10), "the store's heartbeats", () -> heartbeats.fewest(1) >= 3);
    String channel = heartbeats.channels().iterator().next();

    store.close();
    Await.until(Duration.ofSeconds(10), "every thread the store started has ended",
        () -> startedSince(before).isEmpty());
    RedisClient client = RedisClient.create(TestRedis.URI);
    try (var c = client.connect()) {
      assertThat(c.sync().pubsubNumsub(channel)).as("nobody listens for the store's heartbeats").containsEntry(channel, 0L);
    } finally {
      client.shutdown();
    }
  }

  /** The live sse-auth Redis and Lettuce threads that did not exist in {@code before}. */
  private static Set<String> startedSince(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !before.contains(t))
        .map(Thread::getName)
        .filter(n -> n.startsWith("sse-auth-redis") || n.startsWith("lettuce"))
        .collect(Collectors.toSet());
  }
}
