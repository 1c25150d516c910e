package dev.sseauth.redis;

import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreContractTest;
import dev.sseauth.testing.MutableClock;
import org.junit.jupiter.api.AfterAll;

/** The core's store contract against the real Redis, with GETDEL takes (Redis 6.2+). */
class RedisStoreContractTest extends StoreContractTest {
  static final String PREFIX = TestRedis.uniquePrefix("contract");

  @Override
  protected SseAuthStore createStore(MutableClock clock) {
    return RedisStore.builder().uri(TestRedis.URI).keyPrefix(PREFIX).clock(clock).build();
  }

  @Override
  protected SseAuthStore createSecondNode(MutableClock clock) {
    return createStore(clock);
  }

  @AfterAll
  static void deleteKeys() {
    TestRedis.deleteKeys(PREFIX);
  }
}
