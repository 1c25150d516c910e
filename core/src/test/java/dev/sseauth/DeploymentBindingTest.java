package dev.sseauth;

import dev.sseauth.adapter.Allowed;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.sseauth.testing.Tickets.handshakeId;
import static dev.sseauth.testing.Tickets.resume;

import dev.sseauth.internal.MemoryStore;
import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A session token is bound to its deployment, the nodes sharing one store: by default its audience is
 * {@code sse-auth:<the store's deployment id>}, so two deployments that share a signing secret still
 * refuse each other's tokens. An explicit {@code sseauth.token.audience} replaces the default. In either
 * token form: a JWS names its audience, a compact token binds it in its tag without carrying it.
 */
class DeploymentBindingTest {
  private final MutableClock clock = MutableClock.atRealTime();
  private final List<SseAuth> nodes = new ArrayList<>();

  @AfterEach
  void close() {
    nodes.forEach(SseAuth::close);
  }

  /** A node with its own memory store: its own deployment. */
  private SseAuth deployment(UnaryOperator<SseAuthConfig.Builder> tweak) {
    return deployment(TokenFormat.JWS, tweak);
  }

  private SseAuth deployment(TokenFormat format, UnaryOperator<SseAuthConfig.Builder> tweak) {
    SseAuth a = SseAuth.create(tweak.apply(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).clock(clock)
        .tokenFormat(format).streamCheckInterval(Duration.ofMillis(50))).build());
    nodes.add(a);
    return a;
  }

  /** The {@code aud} claim of a wire token, as JSON text. */
  private static String audience(String compositeId) {
    String payload = compositeId.split("\\.")[1].replace('~', '_');
    String json = new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("\"aud\":(\"[^\"]*\"|\\[[^\\]]*\\])").matcher(json);
    return m.find() ? m.group(1) : null;
  }

  @ParameterizedTest
  @EnumSource(TokenFormat.class)
  void decideWhenTokenOfAnotherDeploymentSharingTheSecretThenInvalidToken(TokenFormat format) throws Exception {
    SseAuth a = deployment(format, b -> b);
    SseAuth b = deployment(format, b2 -> b2);
    String fromA = handshakeId(a, "alice");
    assertThat(resume(a, fromA)).isInstanceOf(Allowed.class);
    assertThat(resume(b, fromA)).isInstanceOfSatisfying(Denied.class, d -> assertThat(d.reason()).isEqualTo(Reason.INVALID_TOKEN));
    assertThat(resume(a, handshakeId(b, "alice"))).isInstanceOfSatisfying(Denied.class, d -> assertThat(d.reason()).isEqualTo(Reason.INVALID_TOKEN));
  }

  @ParameterizedTest
  @EnumSource(TokenFormat.class)
  void decideWhenTwoNodesShareOneStoreThenEachAcceptsTheOthersTokens(TokenFormat format) throws Exception {
    MemoryStore shared = new MemoryStore(clock, 1000); // closed by both nodes: close is idempotent
    SseAuth a = deployment(format, b -> b.store(shared));
    SseAuth b = deployment(format, b2 -> b2.store(shared));
    assertThat(resume(b, handshakeId(a, "alice"))).isInstanceOf(Allowed.class);
    assertThat(resume(a, handshakeId(b, "alice"))).isInstanceOf(Allowed.class);
    if (format == TokenFormat.JWS) {
      assertThat(audience(handshakeId(a, "alice"))).isEqualTo("\"" + shared.deploymentId() + "\"");
    }
  }

  @Test
  void mintWhenNoAudienceConfiguredThenTheTokenNamesItsDeployment() throws Exception {
    SseAuth a = deployment(b -> b);
    SseAuth b = deployment(b2 -> b2);
    String audA = audience(handshakeId(a, "alice"));
    assertThat(audA).matches("\"[A-Za-z0-9_-]{16}\"");
    assertThat(audience(handshakeId(a, "alice"))).isEqualTo(audA);
    assertThat(audience(handshakeId(b, "alice"))).matches("\"[A-Za-z0-9_-]{16}\"").isNotEqualTo(audA);
    assertThat(a.config().tokenAudience()).isNull();
  }

  @ParameterizedTest
  @EnumSource(TokenFormat.class)
  void decideWhenBothDeploymentsConfigureOneAudienceThenTheyAcceptEachOthersTokens(TokenFormat format) throws Exception {
    SseAuth a = deployment(format, b -> b.tokenAudience("https://streams.example"));
    SseAuth b = deployment(format, b2 -> b2.tokenAudience("https://streams.example"));
    String fromA = handshakeId(a, "alice");
    if (format == TokenFormat.JWS) {
      assertThat(audience(fromA)).isEqualTo("\"https://streams.example\"");
    }
    assertThat(resume(b, fromA)).isInstanceOf(Allowed.class);
    SseAuth c = deployment(format, b3 -> b3.tokenAudience("https://other.example"));
    assertThat(resume(c, fromA)).isInstanceOfSatisfying(Denied.class, d -> assertThat(d.reason()).isEqualTo(Reason.INVALID_TOKEN));
  }
}
