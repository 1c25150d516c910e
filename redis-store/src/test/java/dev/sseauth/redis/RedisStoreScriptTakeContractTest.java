package dev.sseauth.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.redis.internal.LettuceStore;
import io.lettuce.core.RedisClient;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreContractTest;
import dev.sseauth.testing.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The core's store contract with the Lua take used for servers older than Redis 6.2. */
class RedisStoreScriptTakeContractTest extends StoreContractTest {
  static final String PREFIX = TestRedis.uniquePrefix("lua-take");

  @Override
  protected SseAuthStore createStore(MutableClock clock) {
    // the internal store itself: no public setting takes the script path on a server with GETDEL
    return new LettuceStore(RedisClient.create(TestRedis.URI), null, true, PREFIX, clock, true,
        LettuceStore.HEARTBEAT_INTERVAL, LettuceStore.HEARTBEAT_DEADLINE);
  }

  @Override
  protected SseAuthStore createSecondNode(MutableClock clock) {
    return createStore(clock);
  }

  @Test
  void buildWhenScriptTakeForcedThenGetdelIsNotUsed() {
    assertThat(((LettuceStore) store).usesGetdel()).isFalse();
    try (SseAuthStore plain = RedisStore.builder().uri(TestRedis.URI).keyPrefix(PREFIX).clock(clock).build()) {
      assertThat(((LettuceStore) plain).usesGetdel()).as("Redis on this machine is 7.x").isTrue();
    }
  }

  @AfterAll
  static void deleteKeys() {
    TestRedis.deleteKeys(PREFIX);
  }
}
