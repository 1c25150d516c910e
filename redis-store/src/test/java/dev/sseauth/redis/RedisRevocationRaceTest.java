package dev.sseauth.redis;

import dev.sseauth.spi.RevocationRaceTest;
import dev.sseauth.spi.SseAuthStore;
import java.time.Clock;

/** The revocation races on two nodes, each with its own Redis client and clock, on the machine's Redis. */
class RedisRevocationRaceTest extends RevocationRaceTest {
  @Override
  protected String uniquePrefix() {
    return TestRedis.uniquePrefix("race");
  }

  @Override
  protected void deleteAll(String prefix) {
    TestRedis.deleteKeys(prefix);
  }

  @Override
  protected SseAuthStore createNodeStore(String prefix, Clock clock) {
    return RedisStore.builder().uri(TestRedis.URI).keyPrefix(prefix).clock(clock).build();
  }
}
