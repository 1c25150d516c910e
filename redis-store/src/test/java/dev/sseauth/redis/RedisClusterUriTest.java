package dev.sseauth.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.junit.jupiter.api.Test;

/** {@code redis-cluster://} URIs: read as seed nodes; bad ones and failures never show the password. */
class RedisClusterUriTest {
  @Test
  void uriWhenAClusterUriThenSeedNodesWithItsCredentialsAndTls() {
    assertThat(RedisStore.Builder.clusterSeeds("redis-cluster://app:s%40cret@10.0.0.1:7000,10.0.0.2:7001/"))
        .satisfiesExactly(
            u -> {
              assertThat(u.getHost()).isEqualTo("10.0.0.1");
              assertThat(u.getPort()).isEqualTo(7000);
              io.lettuce.core.RedisCredentials c = u.getCredentialsProvider().resolveCredentials().block();
              assertThat(c.getUsername()).isEqualTo("app");
              assertThat(new String(c.getPassword())).isEqualTo("s@cret");
              assertThat(u.isSsl()).isFalse();
            },
            u -> assertThat(u.getPort()).isEqualTo(7001));
    assertThat(RedisStore.Builder.clusterSeeds("rediss-cluster://h:7000")).singleElement()
        .satisfies(u -> assertThat(u.isSsl()).isTrue());
    assertThat(RedisStore.Builder.clusterSeeds("redis://h:6379")).isNull();
  }

  @Test
  void uriWhenABadClusterUriThenRefusedNamingTheKeyNotTheValue() {
    for (String bad : new String[] {"redis-cluster://app:hunter2@h", "redis-cluster://app:hunter2@h:7000/3",
        "redis-cluster://app:hunter2@h:port"}) {
      assertThatThrownBy(() -> RedisStore.builder().uri(bad)).as(bad).hasMessageContaining("sseauth.redis.uri")
          .hasMessageNotContaining("hunter2");
    }
  }

  @Test
  void buildWhenTheClusterIsUnreachableThenItFailsAndNoMessageHoldsThePassword() {
    Throwable t = catchThrowable(() -> RedisStore.builder().uri("redis-cluster://app:hunter2-secret@127.0.0.1:1")
        .timeout(java.time.Duration.ofMillis(500)).build());
    assertThat(t).isInstanceOf(IllegalStateException.class);
    for (Throwable c = t; c != null; c = c.getCause()) {
      assertThat(String.valueOf(c.getMessage())).doesNotContain("hunter2");
      for (Throwable s : c.getSuppressed()) {
        assertThat(String.valueOf(s.getMessage())).doesNotContain("hunter2");
      }
    }
  }
}
