package dev.sseauth;

import dev.sseauth.adapter.Allowed;

import dev.sseauth.adapter.StreamRequest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.spi.Revocation;
import dev.sseauth.spi.RevocationStatus;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.TicketGrant;
import dev.sseauth.testing.LogCapture;
import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.RecordingOutput;
import dev.sseauth.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** No ticket, token or secret reaches any log, at the most verbose level, in success or failure. */
class LogHygieneTest {
  private static final String SECRET = TestKeys.OTHER_SECRET_BASE64;

  @Test
  void fullFlowWithFailuresAtMostVerboseLevelThenNoTicketTokenOrSecretLogged() throws Exception {
    List<String> secrets = new ArrayList<>(List.of(SECRET));
    MutableClock clock = MutableClock.atRealTime();
    try (LogCapture logs = new LogCapture()) {
      try (SseAuth auth = SseAuth.create(SseAuthConfig.fromMap(Map.of("sseauth.token.secret", SECRET,
          "sseauth.stream.check-interval", "20ms")).toBuilder().clock(clock).build())) {
        String ticket = ((IssuedTicket) auth.issueTicket(SsePrincipal.of("alice")).toCompletableFuture().get()).ticket();
        secrets.add(ticket);
        Allowed a = (Allowed) auth.decide(StreamRequest.get("slt=" + ticket, null, null)).toCompletableFuture().get();
        String hs = new String(a.handshake(), StandardCharsets.UTF_8);
        String composite = hs.substring(hs.indexOf("id: ") + 4, hs.indexOf("\ndata"));
        String token = composite.substring(0, composite.length() - 1);
        secrets.add(token);
        secrets.add(token.replace('~', '_'));
        RecordingOutput out = new RecordingOutput();
        a.open(out);
        clock.advance(Duration.ofMinutes(11));
        dev.sseauth.testing.Await.until(Duration.ofSeconds(5), "rotation", () -> out.written().contains("id: "));
        String rotated = out.written().substring(out.written().indexOf("id: ") + 4, out.written().indexOf("_\n"));
        secrets.add(rotated);
        // failures: replay, forged, expired, bad config
        auth.decide(StreamRequest.get("slt=" + ticket, null, null)).toCompletableFuture().get();
        auth.decide(StreamRequest.get(null, token + "x_1", null)).toCompletableFuture().get();
        auth.decide(StreamRequest.get("slt=" + ticket + "&slt=" + ticket, token, "https://o")).toCompletableFuture().get();
        auth.revokeSubject("alice").toCompletableFuture().get();
        auth.decide(StreamRequest.get(null, composite, null)).toCompletableFuture().get();
        clock.advance(Duration.ofHours(2));
        auth.decide(StreamRequest.get(null, rotated + "_", null)).toCompletableFuture().get();
      }
      try {
        SseAuthConfig.fromMap(Map.of("sseauth.token.secret", "too-short-" + SECRET.substring(0, 5)));
      } catch (IllegalArgumentException expected) {
        System.getLogger("dev.sseauth").log(System.Logger.Level.ERROR, "config failed", expected);
      }
      try (SseAuth broken = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.OTHER_SECRET)
          .store(new FailingStore()).storeTimeout(Duration.ofMillis(20)).build());
          SseAuth healthy = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.OTHER_SECRET).build())) {
        String t = ((IssuedTicket) healthy.issueTicket(SsePrincipal.of("bob")).toCompletableFuture().get()).ticket();
        secrets.add(t);
        broken.decide(StreamRequest.get("slt=" + t, null, null)).toCompletableFuture().get();
      }
      String text = logs.text();
      assertThat(logs.lines()).as("something was logged at all").isNotEmpty();
      assertThat(text).contains("unavailable").contains("revoked subject alice").contains("ticket redeemed")
          .contains("stream request denied");
      for (String s : secrets) {
        assertThat(text).doesNotContain(s);
        assertThat(text).doesNotContain(s.substring(0, Math.min(24, s.length())));
      }
      assertThat(text).doesNotContain("too-short-");
    }
  }

  private static final class FailingStore implements SseAuthStore {
    private <T> CompletionStage<T> fail() {
      return CompletableFuture.failedFuture(new IllegalStateException("down"));
    }

    @Override public CompletionStage<Boolean> putTicket(String h, TicketGrant g, int m) { return fail(); }
    @Override public CompletionStage<Optional<TicketGrant>> takeTicket(String h) { return fail(); }
    @Override public CompletionStage<Void> revoke(Revocation r) { return fail(); }
    @Override public CompletionStage<RevocationStatus> revocationStatus(String s, String u) { return fail(); }
    @Override public AutoCloseable subscribe(dev.sseauth.spi.RevocationListener l) { return () -> { }; }
    @Override public String deploymentId() { return "failing"; }
    @Override public void close() {}
  }
}
