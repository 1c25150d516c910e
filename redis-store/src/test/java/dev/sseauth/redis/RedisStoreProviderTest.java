package dev.sseauth.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.internal.ConfigReader;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.StoreContext;
import dev.sseauth.testing.Leaks;
import dev.sseauth.testing.TestKeys;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code sseauth.store=redis}: found by name, keys validated at startup naming key and value. */
class RedisStoreProviderTest {
  private static final String SECRET = TestKeys.SECRET_BASE64;
  private static final String USER = "canary-user-Zq7";
  private static final String PASSWORD = "hunter2-Zq7";

  private static StoreContext context(Map<String, String> p) {
    return new StoreContext(p, Clock.systemUTC());
  }

  @Test
  void providersWhenRedisModuleOnClassPathThenFoundByName() {
    assertThat(ConfigReader.providers()).containsKey("redis");
    assertThat(ConfigReader.providers().get("redis")).isInstanceOf(RedisStoreProvider.class);
    assertThat(ConfigReader.allKeys()).contains("sseauth.redis.uri", "sseauth.redis.key-prefix", "sseauth.redis.timeout");
  }

  @Test
  void fromMapWhenRedisKeysGivenThenPassedToTheStore() {
    SseAuthConfig c = SseAuthConfig.fromMap(Map.of("sseauth.token.secret", SECRET, "sseauth.store", "redis",
        "sseauth.redis.uri", "redis://127.0.0.1:6379", "sseauth.redis.key-prefix", "app1:"));
    assertThat(c.storeName()).isEqualTo("redis");
    assertThat(c.storeProperties()).containsEntry("sseauth.redis.key-prefix", "app1:");
  }

  @Test
  void fromMapWhenUnknownRedisKeyThenFailsNamingIt() {
    assertThatThrownBy(() -> SseAuthConfig.fromMap(Map.of("sseauth.token.secret", SECRET, "sseauth.store", "redis",
        "sseauth.redis.url", "redis://x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sseauth.redis.url");
  }

  @Test
  void createWhenUriMalformedThenFailsNamingKeyWithoutTheUri() {
    Throwable t = catchThrowable(() -> new RedisStoreProvider().create(context(Map.of("sseauth.redis.uri",
        "redis://" + USER + ":" + PASSWORD + "@[bad"))));
    assertThat(t).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.redis.uri must be a URI such as redis://127.0.0.1:6379");
    Leaks.assertNoneIn(t, PASSWORD, USER, "[bad");
  }

  @Test
  void fromMapWhenRedisUriSetButStoreIsMemoryThenNamesKeyWithoutTheUri() {
    Throwable t = catchThrowable(() -> SseAuthConfig.fromMap(Map.of("sseauth.token.secret", SECRET,
        "sseauth.redis.uri", "redis://" + USER + ":" + PASSWORD + "@127.0.0.1:6379")));
    assertThat(t).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sseauth.redis.uri");
    Leaks.assertNoneIn(t, PASSWORD, USER, "127.0.0.1");
  }

  @Test
  void createWhenCredentialsWrongThenFailsAtStartupWithoutThemAnywhere() {
    // the machine's Redis knows no such user: it refuses the AUTH (its default user takes any password)
    for (String uri : new String[] {"redis://" + USER + ":" + PASSWORD + "@127.0.0.1:" + TestRedis.PORT,
        "redis://" + USER + ":" + PASSWORD + "@127.0.0.1:" + TestRedis.PORT + "/0?timeout=1s"}) {
      Throwable t = catchThrowable(() -> SseAuth.create(SseAuthConfig.fromMap(Map.of("sseauth.token.secret", SECRET,
          "sseauth.store", "redis", "sseauth.redis.uri", uri, "sseauth.redis.timeout", "1s"))));
      assertThat(t).as(uri).isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot connect to Redis");
      Leaks.assertNoneIn(t, PASSWORD, USER);
    }
  }

  @Test
  void createWhenPrefixHasSpacesThenFailsNamingKeyAndValue() {
    assertThatThrownBy(() -> new RedisStoreProvider().create(context(Map.of("sseauth.redis.key-prefix", "my app"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.redis.key-prefix must be 0 to 64 of A-Z a-z 0-9 : _ . - { }, but was 'my app'");
  }

  @Test
  void createWhenTimeoutOutOfRangeThenFailsNamingKeyAndValue() {
    assertThatThrownBy(() -> new RedisStoreProvider().create(context(Map.of("sseauth.redis.timeout", "5ms"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.redis.timeout must be between 10ms and 1m, but was '5ms'");
    assertThatThrownBy(() -> new RedisStoreProvider().create(context(Map.of("sseauth.redis.timeout", "soon"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sseauth.redis.timeout")
        .hasMessageContaining("'soon'");
  }

  @Test
  void createWhenNothingListensThenFailsAtStartupWithoutPassword() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String uri = "redis://" + USER + ":" + PASSWORD + "@127.0.0.1:" + port;
    Throwable t = catchThrowable(() -> new RedisStoreProvider().create(context(Map.of("sseauth.redis.uri", uri,
        "sseauth.redis.timeout", "500ms"))));
    assertThat(t).isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot connect to Redis");
    Leaks.assertNoneIn(t, PASSWORD, USER);
    Throwable built = catchThrowable(() -> RedisStore.builder().uri(uri).timeout(java.time.Duration.ofMillis(500)).build());
    assertThat(built).isInstanceOf(IllegalStateException.class);
    Leaks.assertNoneIn(built, PASSWORD, USER);
  }

  @Test
  void buildWhenApplicationClientGivenThenUsesItAndLeavesItOpen() throws Exception {
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(TestRedis.URI);
    String prefix = TestRedis.uniquePrefix("shared-client");
    try {
      java.time.Instant now = java.time.Instant.now();
      try (SseAuthStore store = RedisStore.builder().client(client).keyPrefix(prefix).build()) {
        assertThat(store.putTicket("h", new dev.sseauth.spi.TicketGrant("s", Map.of(), now, now.plusSeconds(30), null), 1)
            .toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      }
      try (var c = client.connect()) {
        assertThat(c.sync().exists(prefix + "t:h")).as("the client still works after the store closed").isEqualTo(1L);
      }
    } finally {
      TestRedis.deleteKeys(prefix);
      client.shutdown();
    }
  }

  @Test
  void createWhenDefaultsThenConnectsToLocalRedis() {
    try (SseAuthStore store = new RedisStoreProvider().create(context(Map.of()))) {
      assertThat(store).isNotNull();
    }
  }
}
