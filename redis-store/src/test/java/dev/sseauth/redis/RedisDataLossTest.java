package dev.sseauth.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.sseauth.testing.Tickets.handshakeId;
import static dev.sseauth.testing.Tickets.resume;

import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Decision;
import dev.sseauth.Denied;
import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.TcpProxy;
import dev.sseauth.testing.TestKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Redis that restarts without its data (no persistence) loses the revocations as well as the
 * deployment id. Every node reconnecting adopts one new deployment id, so the tokens minted before,
 * whose revocations may be lost, verify nowhere; tokens minted after verify on every node. The restart
 * is played by a proxy cutting both nodes off while the test deletes the keys.
 */
class RedisDataLossTest {
  private final String prefix = TestRedis.uniquePrefix("data-loss");
  private final List<SseAuth> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(SseAuth::close);
    TestRedis.deleteKeys(prefix);
  }

  private SseAuth node(int port) {
    SseAuth n = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).storeTimeout(Duration.ofMillis(500))
        .store(RedisStore.builder().uri("redis://127.0.0.1:" + port).keyPrefix(prefix).timeout(Duration.ofMillis(300)).build())
        .build());
    nodes.add(n);
    return n;
  }

  private static boolean invalid(Decision d) {
    return d instanceof Denied denied && denied.reason() == Reason.INVALID_TOKEN;
  }

  @Test
  void reconnectWhenRedisLostItsDataThenOldTokensVerifyNowhereAndNewOnesOnEveryNode() throws Exception {
    try (TcpProxy redis = new TcpProxy(TestRedis.PORT)) {
      SseAuth a = node(redis.port());
      SseAuth b = node(redis.port());
      String before = handshakeId(a, "alice");
      assertThat(resume(b, before)).isInstanceOf(Allowed.class);

      redis.down();
      TestRedis.deleteKeys(prefix); // the restart lost every key: deployment id, tickets, revocations
      redis.up();

      Await.until(Duration.ofSeconds(10), "both nodes refuse the token minted before the loss",
          () -> invalid(resume(a, before)) && invalid(resume(b, before)));
      assertThat(resume(b, handshakeId(a, "alice"))).isInstanceOf(Allowed.class);
      assertThat(resume(a, handshakeId(b, "alice"))).isInstanceOf(Allowed.class);
    }
  }

  @Test
  void reconnectWhenRedisKeptItsDataThenTokensStillVerify() throws Exception {
    try (TcpProxy redis = new TcpProxy(TestRedis.PORT)) {
      SseAuth a = node(redis.port());
      SseAuth b = node(TestRedis.PORT);
      String before = handshakeId(a, "alice");
      redis.down();
      redis.up();
      Await.until(Duration.ofSeconds(10), "node a answers again", () -> resume(a, before) instanceof Allowed);
      String after = handshakeId(a, "alice"); // minted after the reconnect, with the deployment id read again
      assertThat(resume(b, before)).isInstanceOf(Allowed.class);
      assertThat(resume(b, after)).isInstanceOf(Allowed.class);
    }
  }
}
