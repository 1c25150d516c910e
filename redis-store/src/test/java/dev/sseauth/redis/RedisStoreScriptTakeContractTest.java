package dev.sseauth.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.redis.internal.LettuceStore;
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
    return RedisStore.builder().uri(TestRedis.URI).keyPrefix(PREFIX).clock(clock).forceScriptTake(true).build();
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
