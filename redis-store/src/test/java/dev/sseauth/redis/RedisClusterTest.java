package dev.sseauth.redis;

import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreClusterTest;
import java.util.Map;

/** Two nodes, each with its own Redis client, on the machine's Redis. */
class RedisClusterTest extends StoreClusterTest {
  @Override
  protected String uniquePrefix() {
    return TestRedis.uniquePrefix("cluster");
  }

  @Override
  protected void deleteAll(String prefix) {
    TestRedis.deleteKeys(prefix);
  }

  @Override
  protected SseAuthStore createNodeStore(String prefix) {
    return RedisStore.builder().uri(TestRedis.URI).keyPrefix(prefix).build();
  }

  @Override
  protected Map<String, String> storeProperties(String prefix) {
    return Map.of("sseauth.store", "redis", "sseauth.redis.uri", TestRedis.URI, "sseauth.redis.key-prefix", prefix);
  }

  @Override
  protected long storedTickets(String prefix) {
    return TestRedis.countKeys(prefix + "t:");
  }
}
