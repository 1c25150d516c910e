package dev.sseauth.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import dev.sseauth.testing.Await;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How many replicas a master serves, read from its own {@code ROLE} reply, which the cluster store waits for
 * at least (its view of the topology may be older than the master's): the real replies of the test cluster
 * started by {@code scripts/test.sh} on 127.0.0.1:7101-7106 (three masters, a replica each).
 */
class ReplicaCountTest {
  @Test
  void roleWhenMasterThenItsReplicasWhenReplicaThenNone() {
    int masters = 0;
    for (int port = 7101; port <= 7106; port++) {
      RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        List<Object> role = c.sync().role();
        if ("master".equals(String.valueOf(role.get(0)))) {
          masters++;
          // its replica may still be resynchronising after another test's failover: wait for it to be served
          Await.until(Duration.ofSeconds(30), "port " + port + " to serve its replica",
              () -> LettuceStore.replicasOf(c.sync().role()) == 1);
        } else {
          assertThat(LettuceStore.replicasOf(role)).as("port %d", port).isZero();
        }
      } finally {
        client.shutdown();
      }
    }
    assertThat(masters).isEqualTo(3);
    assertThat(LettuceStore.replicasOf(null)).isZero();
    assertThat(LettuceStore.replicasOf(List.of("master", 1L, List.of()))).isZero();
  }
}
