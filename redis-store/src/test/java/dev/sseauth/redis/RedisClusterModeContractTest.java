package dev.sseauth.redis;

import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreContractTest;
import dev.sseauth.testing.MutableClock;
import org.junit.jupiter.api.AfterAll;

/** The core's store contract against a real Redis Cluster (three masters with a replica each). */
class RedisClusterModeContractTest extends StoreContractTest {
  static final String PREFIX = TestRedis.uniquePrefix("cluster-mode-contract");

  @Override
  protected SseAuthStore createStore(MutableClock clock) {
    return RedisStore.builder().uri(TestRedisCluster.URI).keyPrefix(PREFIX).clock(clock).build();
  }

  @Override
  protected SseAuthStore createSecondNode(MutableClock clock) {
    return createStore(clock);
  }

  @AfterAll
  static void deleteKeys() {
    TestRedisCluster.deleteKeys(PREFIX);
  }
}
