package dev.sseauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sseauth.spi.StoreContext;
import dev.sseauth.testing.Leaks;
import dev.sseauth.testing.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration errors name the key and never echo a value that may hold a credential: secrets, key
 * material, and the value of any key sse-auth does not know.
 */
class ConfigCredentialTest {
  private static final String CANARY = "CANARY-hunter2-Zq7";

  private static Map<String, String> with(String... kv) {
    Map<String, String> m = new HashMap<>();
    m.put("sseauth.token.secret", TestKeys.SECRET_BASE64);
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  private static Throwable failure(Runnable r) {
    Throwable t = catchThrowable(r::run);
    assertThat(t).isInstanceOf(IllegalArgumentException.class);
    return t;
  }

  @Test
  void fromMapWhenUnknownKeyThenNamesItWithoutItsValue() {
    Throwable t = failure(() -> SseAuthConfig.fromMap(with("sseauth.tokn.secert", CANARY)));
    assertThat(t).hasMessageContaining("sseauth.tokn.secert");
    Leaks.assertNoneIn(t, CANARY);
  }

  @Test
  void fromMapWhenUnknownKeyOfAStoreThenNamesItWithoutItsValue() {
    Throwable t = failure(() -> SseAuthConfig.fromMap(with("sseauth.memory.pasword", CANARY)));
    assertThat(t).hasMessageContaining("sseauth.memory.pasword");
    Leaks.assertNoneIn(t, CANARY);
  }

  @Test
  void fromEnvironmentWhenUnknownVariableThenNamesItWithoutItsValue() {
    Throwable t = failure(() -> SseAuthConfig.fromEnvironment(Map.of("SSEAUTH_REDIS_PASSWD", CANARY), new Properties()));
    assertThat(t).hasMessageContaining("SSEAUTH_REDIS_PASSWD");
    Leaks.assertNoneIn(t, CANARY);
  }

  @Test
  void fromMapWhenSecretInvalidThenOneMessageNamingTheKeyWithoutTheValue() {
    for (String bad : new String[] {CANARY, "CANARY", CANARY + "-is-a-long-passphrase-of-many-words"}) {
      Throwable t = failure(() -> SseAuthConfig.fromMap(with("sseauth.token.secret", bad)));
      assertThat(t.getMessage()).startsWith("sseauth.token.secret ").doesNotContain("but was").doesNotContain("***");
      Leaks.assertNoneIn(t, bad, "CANARY");
    }
  }

  @Test
  void hmacSecretWhenTooShortThenOneMessageNamingTheKey() {
    Throwable t = failure(() -> SseAuthConfig.builder().tokenSecret(new byte[10]));
    assertThat(t.getMessage()).startsWith("sseauth.token.secret must be at least 32 random bytes")
        .doesNotContain("but was").doesNotContain("***").doesNotContain("80").doesNotContain("10");
  }

  @Test
  void fromMapWhenBearerKeysWithoutSecretThenNamesKeys() {
    Throwable t = failure(() -> SseAuthConfig.fromMap(with("sseauth.bearer.issuer", "https://issuer.example")));
    assertThat(t).hasMessageContaining("sseauth.bearer.issuer").hasMessageContaining("sseauth.bearer.secret");
  }

  @Test
  void fromMapWhenJwksFileHoldsBadKeyMaterialThenNoneOfItInTheMessage(@TempDir Path dir) throws Exception {
    String k = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(TestKeys.SECRET);
    Map<String, String> docs = Map.of(
        "not-json.json", "{\"keys\": [" + k + "]}",
        "no-alg.json", "{\"keys\": [{\"kty\":\"oct\",\"kid\":\"a\",\"k\":\"" + k + "\"}]}",
        "bad-json.json", "{\"keys\": [{\"kty\":\"oct\",\"kid\":\"a\",\"alg\":\"HS256\",\"k\":\"" + k + "\" " + k + "}]}",
        "bad-rsa.json", "{\"keys\": [{\"kty\":\"RSA\",\"kid\":\"a\",\"alg\":\"RS256\",\"n\":\"" + k + "\",\"e\":\"AQAB\",\"d\":\""
            + k + "!\"}]}");
    for (Map.Entry<String, String> doc : docs.entrySet()) {
      Path f = dir.resolve(doc.getKey());
      Files.writeString(f, doc.getValue());
      Map<String, String> m = new HashMap<>(Map.of("sseauth.token.jwks-file", f.toString()));
      Throwable t = failure(() -> SseAuthConfig.fromMap(m));
      assertThat(t).as(doc.getKey()).hasMessageContaining("sseauth.token.jwks-file");
      Leaks.assertNoneIn(t, k, k.substring(0, 12));
    }
  }

  @Test
  void storeContextToStringShowsKeysNotValues() {
    StoreContext c = new StoreContext(Map.of("sseauth.redis.uri", "redis://:" + CANARY + "@127.0.0.1:6379"), Clock.systemUTC());
    assertThat(c.toString()).contains("sseauth.redis.uri").doesNotContain(CANARY).doesNotContain("127.0.0.1");
  }
}
