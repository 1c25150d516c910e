package dev.sseauth.redis;

import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreClusterTest;
import java.util.Map;

/** Two sse-auth nodes, each with its own client, on a real Redis Cluster: the 10,000-ticket race and the rest. */
class RedisClusterModeNodesTest extends StoreClusterTest {
  @Override
  protected String uniquePrefix() {
    return TestRedis.uniquePrefix("cluster-mode");
  }

  @Override
  protected void deleteAll(String prefix) {
    TestRedisCluster.deleteKeys(prefix);
  }

  @Override
  protected SseAuthStore createNodeStore(String prefix) {
    return RedisStore.builder().uri(TestRedisCluster.URI).keyPrefix(prefix).build();
  }

  @Override
  protected Map<String, String> storeProperties(String prefix) {
    return Map.of("sseauth.store", "redis", "sseauth.redis.uri", TestRedisCluster.URI, "sseauth.redis.key-prefix", prefix);
  }

  @Override
  protected long storedTickets(String prefix) {
    return TestRedisCluster.countKeys(prefix + "t:");
  }
}
