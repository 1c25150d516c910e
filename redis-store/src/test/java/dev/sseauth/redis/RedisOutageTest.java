package dev.sseauth.redis;

import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreOutageTest;
import java.time.Duration;

/** The machine's Redis cut off by a proxy: 503 while it is gone, service resumes by itself. */
class RedisOutageTest extends StoreOutageTest {
  @Override
  protected String uniquePrefix() {
    return TestRedis.uniquePrefix("outage");
  }

  @Override
  protected void deleteAll(String prefix) {
    TestRedis.deleteKeys(prefix);
  }

  @Override
  protected int serverPort() {
    return TestRedis.PORT;
  }

  @Override
  protected SseAuthStore createStore(int port, String prefix) {
    return RedisStore.builder().uri("redis://127.0.0.1:" + port).keyPrefix(prefix).timeout(Duration.ofMillis(300)).build();
  }

  @Override
  protected String storeLogger() {
    return "dev.sseauth.redis";
  }
}
