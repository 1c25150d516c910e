package dev.sseauth.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.UUID;

/** The machine's Redis (started by {@code .ci/run}) and per-test key prefixes. */
final class TestRedis {
  static final int PORT = 6379;
  static final String URI = "redis://127.0.0.1:" + PORT;

  private TestRedis() {}

  /** A prefix no other test run uses. */
  static String uniquePrefix(String what) {
    return "sseauth-test:" + what + ":" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  /** Deletes every key under {@code prefix}. */
  static void deleteKeys(String prefix) {
    RedisClient client = RedisClient.create(URI);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      c.setTimeout(Duration.ofSeconds(5));
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page = c.sync().scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
        if (!page.getKeys().isEmpty()) {
          c.sync().del(page.getKeys().toArray(String[]::new));
        }
        cursor = page;
      } while (!cursor.isFinished());
    } finally {
      client.shutdown();
    }
  }

  /** How many keys exist under {@code prefix}. */
  static long countKeys(String prefix) {
    RedisClient client = RedisClient.create(URI);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      long n = 0;
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page = c.sync().scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
        n += page.getKeys().size();
        cursor = page;
      } while (!cursor.isFinished());
      return n;
    } finally {
      client.shutdown();
    }
  }
}
