package dev.sseauth.redis;

import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.util.List;

/** The Redis Cluster {@code scripts/test.sh} starts on 127.0.0.1:7101-7106 (three masters, three replicas). */
final class TestRedisCluster {
  static final String URI = "redis-cluster://127.0.0.1:7101,127.0.0.1:7102,127.0.0.1:7103";

  private TestRedisCluster() {}

  static RedisClusterClient client() {
    return RedisClusterClient.create(List.of(io.lettuce.core.RedisURI.create("redis://127.0.0.1:7101"),
        io.lettuce.core.RedisURI.create("redis://127.0.0.1:7102")));
  }

  /** Deletes every key under {@code prefix}, on every master. */
  static void deleteKeys(String prefix) {
    RedisClusterClient client = client();
    try (StatefulRedisClusterConnection<String, String> c = client.connect()) {
      List<String> keys = c.sync().keys(prefix + "*");
      if (!keys.isEmpty()) {
        c.sync().del(keys.toArray(String[]::new));
      }
    } finally {
      client.shutdown();
    }
  }

  /** How many keys exist under {@code prefix}, on every master. */
  static long countKeys(String prefix) {
    RedisClusterClient client = client();
    try (StatefulRedisClusterConnection<String, String> c = client.connect()) {
      return c.sync().keys(prefix + "*").size();
    } finally {
      client.shutdown();
    }
  }
}
