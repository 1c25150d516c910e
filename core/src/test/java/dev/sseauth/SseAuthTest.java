package dev.sseauth;

import dev.sseauth.adapter.Decision;

import dev.sseauth.adapter.LiveStream;
import dev.sseauth.adapter.StreamOutput;

import dev.sseauth.adapter.Allowed;

import dev.sseauth.adapter.StreamRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sseauth.spi.Revocation;
import dev.sseauth.spi.RevocationStatus;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.TicketGrant;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.RecordingOutput;
import dev.sseauth.testing.TestKeys;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SseAuthTest {
  private static final Pattern AUTH_ID = Pattern.compile("id: ([^\n]*)\n");

  private final MutableClock clock = MutableClock.atRealTime();
  private SseAuth auth = create(base());

  private SseAuthConfig.Builder base() {
    return SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).clock(clock).streamCheckInterval(Duration.ofMillis(20));
  }

  private SseAuth create(SseAuthConfig.Builder b) {
    if (auth != null) {
      auth.close();
    }
    auth = SseAuth.create(b.build());
    return auth;
  }

  @AfterEach
  void close() {
    auth.close();
  }

  private static <T> T get(CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private String ticket(String subject) throws Exception {
    TicketOutcome o = get(auth.issueTicket(new SsePrincipal(subject, Map.of("role", "reader"))));
    assertThat(o).isInstanceOf(IssuedTicket.class);
    return ((IssuedTicket) o).ticket();
  }

  private Decision decide(String query, String lastEventId) throws Exception {
    return get(auth.decide(StreamRequest.get(query, lastEventId, null)));
  }

  private static Reason reason(Decision d) {
    assertThat(d).isInstanceOf(Denied.class);
    return ((Denied) d).reason();
  }

  /** The composite id of the handshake's auth event. */
  private static String handshakeId(Allowed a) {
    Matcher m = AUTH_ID.matcher(new String(a.handshake(), StandardCharsets.UTF_8));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  /** Waits until the stream checker has run at the clock's current time (it reads the clock once a run). */
  private void awaitSweep() {
    long reads = clock.reads();
    Await.until(Duration.ofSeconds(5), "the stream checker to run", () -> clock.reads() >= reads + 3);
  }

  private static long retry(String handshake) {
    Matcher m = Pattern.compile("retry: (\\d+)\n").matcher(handshake);
    assertThat(m.find()).as(handshake).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static String write(LiveStream s, String appBytes) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] b = appBytes.getBytes(StandardCharsets.UTF_8);
    s.write(b, 0, b.length, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void decideWhenTicketThenAllowedWithAuthHandshakeAndPrincipal() throws Exception {
    Decision d = decide("a=1&slt=" + ticket("alice") + "&b=2", null);
    assertThat(d).isInstanceOf(Allowed.class);
    Allowed a = (Allowed) d;
    assertThat(a.principal()).isEqualTo(new SsePrincipal("alice", Map.of("role", "reader")));
    assertThat(a.previousId()).isEmpty();
    assertThat(a.appQuery()).isEqualTo("a=1&b=2");
    assertThat(a.endAfterHandshake()).isFalse();
    String hs = new String(a.handshake(), StandardCharsets.UTF_8);
    assertThat(hs).matches("(?s)retry: (\\d+)\nevent: auth\nid: .*").endsWith("_\ndata: {\"session\":\"valid\"}\n\n");
    assertThat(retry(hs)).isBetween(800L, 1200L); // sseauth.handshake.retry, 1s, with its jitter of 20 %
    assertThat(a.toString()).doesNotContain(handshakeId(a).substring(0, 20));
  }

  @Test
  void decideWhenTokenReconnectsThenAllowedWithAppPreviousIdAndNoHandshake() throws Exception {
    Allowed first = (Allowed) decide("slt=" + ticket("alice"), null);
    String id = handshakeId(first);
    String token = id.substring(0, id.length() - 1);
    LiveStream s = first.open(new RecordingOutput());
    String rewritten = write(s, "id: 41\ndata: hello\n\n");
    assertThat(rewritten).isEqualTo("id: " + token + "_41\ndata: hello\n\n");
    s.close();
    Decision again = decide("slt=" + "spent-anyway", token + "_41");
    assertThat(again).isInstanceOf(Allowed.class);
    Allowed a = (Allowed) again;
    assertThat(a.previousId()).isEqualTo("41");
    assertThat(a.handshake()).isEmpty();
    assertThat(a.session().sessionId()).isEqualTo(first.session().sessionId());
    assertThat(a.appQuery()).isNull();
  }

  @Test
  void decideWhenTicketReplayedThenInvalidTicket() throws Exception {
    String t = ticket("alice");
    assertThat(decide("slt=" + t, null)).isInstanceOf(Allowed.class);
    assertThat(reason(decide("slt=" + t, null))).isEqualTo(Reason.INVALID_TICKET);
  }

  @Test
  void decideWhenTicketExpiredThenInvalidTicket() throws Exception {
    String t = ticket("alice");
    clock.advance(Duration.ofSeconds(30));
    assertThat(reason(decide("slt=" + t, null))).isEqualTo(Reason.INVALID_TICKET);
  }

  @Test
  void decideWhenTicketJustBeforeExpiryThenAllowed() throws Exception {
    String t = ticket("alice");
    clock.advance(Duration.ofSeconds(29));
    assertThat(decide("slt=" + t, null)).isInstanceOf(Allowed.class);
  }

  @Test
  void decideWhenNoCredentialsThenUnauthorizedWithBearerChallenge() throws Exception {
    Denied d = (Denied) decide(null, null);
    assertThat(d.reason()).isEqualTo(Reason.NO_CREDENTIALS);
    assertThat(d.status()).isEqualTo(401);
    assertThat(d.wwwAuthenticate()).isEqualTo("Bearer");
  }

  @Test
  void decideWhenGarbageTicketOrTokenThenUnauthorized() throws Exception {
    assertThat(reason(decide("slt=nope", null))).isEqualTo(Reason.INVALID_TICKET);
    assertThat(reason(decide("slt=" + "A".repeat(43), null))).isEqualTo(Reason.INVALID_TICKET);
    assertThat(reason(decide(null, "41"))).isEqualTo(Reason.INVALID_TOKEN);
    assertThat(reason(decide(null, "abc.def.ghi_41"))).isEqualTo(Reason.INVALID_TOKEN);
    Denied d = (Denied) decide(null, "abc.def.ghi_41");
    assertThat(d.wwwAuthenticate()).isEqualTo("Bearer error=\"invalid_token\"");
  }

  @Test
  void decideWhenTokenPresentedAsTicketThenRefusedAsTokenInUrlAndRevoked() throws Exception {
    String id = handshakeId((Allowed) decide("slt=" + ticket("alice"), null));
    String token = id.substring(0, id.length() - 1);
    assertThat(reason(decide("slt=" + token, null))).isEqualTo(Reason.TOKEN_IN_URL);
    assertThat(reason(decide(null, id))).isEqualTo(Reason.SESSION_REVOKED);
  }

  @Test
  void decideWhenTicketPresentedAsTokenThenRefused() throws Exception {
    String t = ticket("alice");
    assertThat(reason(decide(null, t + "_41"))).isEqualTo(Reason.INVALID_TOKEN);
    // the ticket was not spent by that attempt
    assertThat(decide("slt=" + t, null)).isInstanceOf(Allowed.class);
  }

  @Test
  void decideWhenInvalidTokenButValidTicketThenTicketRedeemed() throws Exception {
    assertThat(decide("slt=" + ticket("alice"), "garbage_41")).isInstanceOf(Allowed.class);
  }

  @Test
  void decideWhenSeveralTicketParametersThenBadRequest() throws Exception {
    String t = ticket("alice");
    assertThat(reason(decide("slt=" + t + "&slt=" + t, null))).isEqualTo(Reason.AMBIGUOUS_TICKET);
    assertThat(reason(decide("slt=" + t + "&s%6Ct=x", null))).isEqualTo(Reason.AMBIGUOUS_TICKET);
    assertThat(decide("slt=" + t, null)).isInstanceOf(Allowed.class);
  }

  @Test
  void decideWhenResumeParameterThenPreviousIdHandedToApp() throws Exception {
    Allowed a = (Allowed) decide("slt=" + ticket("alice") + "&lastEventId=41%20%C3%A9", null);
    assertThat(a.previousId()).isEqualTo("41 é");
    assertThat(handshakeId(a)).endsWith("_41 é");
    for (String bad : new String[] {"4%0A1", "4%0D1", "4%001", "%7F", "%01", "%1B[31m"}) {
      assertThat(reason(decide("slt=" + ticket("alice") + "&lastEventId=" + bad, null))).as(bad).isEqualTo(Reason.BAD_RESUME_ID);
    }
    assertThat(((Allowed) decide("slt=" + ticket("alice") + "&lastEventId=a%09b", null)).previousId()).isEqualTo("a\tb");
  }

  @Test
  void decideWhenMethodNotGetThenMethodNotAllowed() throws Exception {
    String t = ticket("alice");
    for (String m : new String[] {"HEAD", "OPTIONS", "POST"}) {
      Denied d = (Denied) get(auth.decide(new StreamRequest(m, "slt=" + t, null, null)));
      assertThat(d.status()).isEqualTo(405);
      assertThat(d.reply().header("Allow")).isEqualTo("GET");
    }
    assertThat(decide("slt=" + t, null)).isInstanceOf(Allowed.class);
  }

  @Test
  void decideWhenForeignOriginThenForbidden() throws Exception {
    create(base().origins(Set.of("https://app.example")));
    String t = ticket("alice");
    Decision d = get(auth.decide(StreamRequest.get("slt=" + t, null, "https://evil.example")));
    assertThat(((Denied) d).status()).isEqualTo(403);
    assertThat(get(auth.decide(StreamRequest.get("slt=" + t, null, "https://app.example")))).isInstanceOf(Allowed.class);
  }

  @Test
  void decideWhenReconnectModeThenRetryZeroAndEndAfterHandshake() throws Exception {
    create(base().handshakeMode(HandshakeMode.RECONNECT));
    Allowed a = (Allowed) decide("slt=" + ticket("alice"), null);
    assertThat(a.endAfterHandshake()).isTrue();
    assertThat(new String(a.handshake(), StandardCharsets.UTF_8)).startsWith("retry: 0\nevent: auth\n");
    Allowed again = (Allowed) decide(null, handshakeId(a));
    assertThat(again.endAfterHandshake()).isFalse();
    String resumed = new String(again.handshake(), StandardCharsets.UTF_8);
    assertThat(resumed).matches("retry: \\d+\n\n");
    assertThat(retry(resumed)).isBetween(800L, 1200L);
  }

  @Test
  void decideWhenSessionRevokedThenRefused() throws Exception {
    Allowed a = (Allowed) decide("slt=" + ticket("alice"), null);
    get(auth.revokeSession(a.session().sessionId()));
    assertThat(reason(decide(null, handshakeId(a)))).isEqualTo(Reason.SESSION_REVOKED);
  }

  @Test
  void decideWhenSubjectRevokedThenOldSessionsAndTicketsRefusedNewOnesNot() throws Exception {
    Allowed a = (Allowed) decide("slt=" + ticket("alice"), null);
    String outstanding = ticket("alice");
    Allowed bob = (Allowed) decide("slt=" + ticket("bob"), null);
    clock.advance(Duration.ofSeconds(1));
    get(auth.revokeSubject("alice"));
    assertThat(reason(decide(null, handshakeId(a)))).isEqualTo(Reason.SESSION_REVOKED);
    assertThat(reason(decide("slt=" + outstanding, null))).isEqualTo(Reason.INVALID_TICKET);
    assertThat(decide(null, handshakeId(bob))).isInstanceOf(Allowed.class);
    clock.advance(Duration.ofSeconds(1));
    assertThat(decide("slt=" + ticket("alice"), null)).isInstanceOf(Allowed.class);
  }

  @Test
  void revokeSubjectWhenSessionStartedInSameMillisecondThenRevoked() throws Exception {
    clock.set(clock.instant().plusNanos(123_456));
    Allowed a = (Allowed) decide("slt=" + ticket("alice"), null);
    assertThat(a.session().sessionStart().getNano() % 1_000_000).isZero();
    clock.advance(Duration.ofNanos(500_000)); // same millisecond
    get(auth.revokeSubject("alice"));
    assertThat(reason(decide(null, handshakeId(a)))).isEqualTo(Reason.SESSION_REVOKED);
  }

  @Test
  void decideWhenTokenExpiredThenTokenExpired() throws Exception {
    Allowed a = (Allowed) decide("slt=" + ticket("alice"), null);
    clock.advance(Duration.ofHours(1).plusSeconds(31));
    assertThat(reason(decide(null, handshakeId(a)))).isEqualTo(Reason.TOKEN_EXPIRED);
  }

  @Test
  void decideWhenTokenDueForRotationThenHandshakeCarriesSilentRotation() throws Exception {
    Allowed a = (Allowed) decide("slt=" + ticket("alice"), null);
    String token = handshakeId(a).substring(0, handshakeId(a).length() - 1);
    clock.advance(Duration.ofMinutes(11));
    Allowed again = (Allowed) decide(null, token + "_7");
    String hs = new String(again.handshake(), StandardCharsets.UTF_8);
    assertThat(hs).startsWith("event: sseauth-rotate\nid: ").endsWith("_7\ndata:\n\n");
    String newToken = hs.substring(hs.indexOf("id: ") + 4, hs.indexOf("_7\n"));
    assertThat(newToken).isNotEqualTo(token);
    LiveStream s = again.open(new RecordingOutput());
    assertThat(write(s, "id: 8\n\n")).isEqualTo("id: " + newToken + "_8\n\n");
    s.close();
  }

  @Test
  void liveStreamWhenRotationDueThenSilentEventWithNewTokenAndLastId() throws Exception {
    Allowed a = (Allowed) decide("slt=" + ticket("alice"), null);
    String token = handshakeId(a).substring(0, handshakeId(a).length() - 1);
    RecordingOutput out = new RecordingOutput();
    LiveStream s = a.open(out);
    write(s, "id: 12\ndata: x\n\n");
    clock.advance(Duration.ofMinutes(10));
    Await.until(Duration.ofSeconds(5), "rotation event", () -> out.written().contains("event: sseauth-rotate"));
    String ev = out.written();
    assertThat(ev).matches("event: sseauth-rotate\nid: [A-Za-z0-9.~-]+_12\ndata:\n\n");
    String newToken = ev.substring(ev.indexOf("id: ") + 4, ev.indexOf("_12"));
    assertThat(newToken).isNotEqualTo(token);
    assertThat(decide(null, newToken + "_12")).isInstanceOf(Allowed.class);
    assertThat(s.session().expiresAt()).isAfter(a.session().expiresAt());
    assertThat(out.ended()).isNull();
    s.close();
  }

  @Test
  void liveStreamWhenSessionCapReachedThenEndedAsExpired() throws Exception {
    create(base().sessionMaxLifetime(Duration.ofMinutes(30)).tokenTtl(Duration.ofMinutes(20)).tokenRotateAfter(Duration.ofMinutes(5)));
    Allowed a = (Allowed) decide("slt=" + ticket("alice"), null);
    RecordingOutput out = new RecordingOutput();
    a.open(out);
    for (int i = 0; i < 5; i++) { // rotations keep it alive
      clock.advance(Duration.ofMinutes(5));
      int rotations = i + 1;
      Await.until(Duration.ofSeconds(5), "rotation " + rotations,
          () -> out.written().split("event: sseauth-rotate", -1).length - 1 >= rotations);
      assertThat(out.ended()).isNull();
    }
    clock.advance(Duration.ofMinutes(5)); // 30 minutes: the absolute cap
    Await.until(Duration.ofSeconds(5), "stream ended", () -> out.ended() != null);
    assertThat(out.ended()).isEqualTo(Reason.SESSION_EXPIRED);
  }

  @Test
  void openWhenSessionRevokedAfterDecisionThenStreamEndsAtOnce() throws Exception {
    Allowed a = (Allowed) decide("slt=" + ticket("alice"), null);
    get(auth.revokeSession(a.session().sessionId())); // before the adapter opens the stream
    RecordingOutput out = new RecordingOutput();
    a.open(out);
    Await.until(Duration.ofSeconds(5), "the stream ends", () -> out.ended() != null);
    assertThat(out.ended()).isEqualTo(Reason.SESSION_REVOKED);
  }

  @Test
  void liveStreamWhenRevokedThenEndedAtOnce() throws Exception {
    Allowed a = (Allowed) decide("slt=" + ticket("alice"), null);
    Allowed b = (Allowed) decide("slt=" + ticket("bob"), null);
    RecordingOutput outA = new RecordingOutput();
    RecordingOutput outB = new RecordingOutput();
    a.open(outA);
    b.open(outB);
    get(auth.revokeSubject("alice"));
    assertThat(outA.ended()).isEqualTo(Reason.SESSION_REVOKED);
    assertThat(outB.ended()).isNull();
    get(auth.revokeSession(b.session().sessionId()));
    assertThat(outB.ended()).isEqualTo(Reason.SESSION_REVOKED);
  }

  @Test
  void issueTicketWhenSubjectHasTooManyOutstandingThenTooManyTickets() throws Exception {
    create(base().ticketMaxPerSubject(2));
    ticket("alice");
    ticket("alice");
    TicketOutcome o = get(auth.issueTicket(SsePrincipal.of("alice")));
    assertThat(((Denied) o).status()).isEqualTo(429);
    clock.advance(Duration.ofSeconds(30));
    ticket("alice");
  }

  @Test
  void issueTicketThenJsonAndToStringHideNothingButToString() throws Exception {
    IssuedTicket t = (IssuedTicket) get(auth.issueTicket(SsePrincipal.of("alice")));
    assertThat(t.ticket()).hasSize(43).matches("[A-Za-z0-9_-]+");
    assertThat(t.toJson()).isEqualTo("{\"ticket\":\"" + t.ticket()
        + "\",\"expiresIn\":30,\"param\":\"slt\",\"resume\":\"lastEventId\",\"separator\":\"_\"}");
    assertThat(t.toString()).doesNotContain(t.ticket());
  }

  /** A store that never answers or fails: the decision must fail closed with 503. */
  @Test
  void decideWhenStoreFailsOrHangsThenServiceUnavailable() throws Exception {
    // one deployment (one audience) whose store then fails: the token is valid, its revocation check is not possible
    create(base().tokenAudience("one-deployment"));
    String token = handshakeId((Allowed) decide("slt=" + ticket("alice"), null));
    for (boolean hang : new boolean[] {false, true}) {
      create(base().tokenAudience("one-deployment").store(new BrokenStore(hang)).storeTimeout(Duration.ofMillis(50)));
      assertThat(((Denied) decide("slt=" + "A".repeat(42) + "A", null)).status()).isEqualTo(503);
      assertThat(((Denied) decide(null, token)).status()).isEqualTo(503);
      assertThat(((Denied) get(auth.issueTicket(SsePrincipal.of("alice")))).status()).isEqualTo(503);
    }
  }

  @Test
  void createWhenStoreNameUnknownThenFailsNamingIt() {
    assertThatThrownBy(() -> SseAuth.create(base().store("nosuch").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sseauth.store").hasMessageContaining("nosuch");
  }

  private static final class BrokenStore implements SseAuthStore {
    private final boolean hang;

    BrokenStore(boolean hang) {
      this.hang = hang;
    }

    private <T> CompletionStage<T> fail() {
      return hang ? new CompletableFuture<>() : CompletableFuture.failedFuture(new java.io.IOException("connection refused"));
    }

    @Override
    public CompletionStage<Boolean> putTicket(String h, TicketGrant g, int max) {
      return fail();
    }

    @Override
    public CompletionStage<Optional<TicketGrant>> takeTicket(String h) {
      return fail();
    }

    @Override
    public CompletionStage<Void> revoke(Revocation r) {
      return fail();
    }

    @Override
    public CompletionStage<RevocationStatus> revocationStatus(String sid, String subject) {
      return fail();
    }

    @Override
    public AutoCloseable subscribe(dev.sseauth.spi.RevocationListener l) {
      return () -> { };
    }

    @Override
    public String deploymentId() {
      return "broken";
    }

    @Override
    public void close() {}
  }

  // ---- a session token in a URL (a polyfill's ?lastEventId=, a client with the wrong separator) ----

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {
      "slt={ticket}&lastEventId={id}",    // event-source-polyfill's reconnect
      "slt={ticket}&lastEventId={idenc}", // the same, percent-encoded
      "lastEventId={id}",                 // no ticket at all
      "x=1&resume={token}!41&y=2",        // a client that splits at another separator
      "q={token}",                        // a bare token in any parameter
      "q={rawtoken}_41",                  // the token with its '_' not in wire form
      "q=prefix%20{token}%20suffix"})
  void decideWhenSessionTokenInQueryThenRefused400AndSessionRevoked(String shape) throws Exception {
    Allowed first = (Allowed) decide("slt=" + ticket("alice"), null);
    RecordingOutput out = new RecordingOutput();
    LiveStream live = first.open(out);
    String id = handshakeId(first) + "41";
    String token = id.substring(0, id.indexOf('_'));
    // braces stand in no ticket, token or encoded id: no replacement rewrites what another put in
    String query = shape.replace("{ticket}", ticket("alice")).replace("{idenc}", enc(id).replace("~", "%7E"))
        .replace("{id}", id).replace("{rawtoken}", token.replace('~', '_')).replace("{token}", token);
    try (var log = new dev.sseauth.testing.LogCapture("dev.sseauth")) {
      Decision d = decide(query, null);
      assertThat(reason(d)).isEqualTo(Reason.TOKEN_IN_URL);
      assertThat(((Denied) d).status()).isEqualTo(400);
      // the session is burned: its live stream ends and its token no longer reconnects
      Await.until(Duration.ofSeconds(1), "the live stream ends", () -> out.ended() != null);
      assertThat(out.ended()).isEqualTo(Reason.SESSION_REVOKED);
      assertThat(reason(decide(null, id))).isEqualTo(Reason.SESSION_REVOKED);
      // the log names the session, never the token
      assertThat(log.records()).anyMatch(r -> java.text.MessageFormat.format(r.getMessage(), r.getParameters())
          .contains(first.session().sessionId()));
      assertThat(log.records()).noneMatch(r -> java.text.MessageFormat.format(r.getMessage(), r.getParameters())
          .contains(token.substring(0, 30)));
    }
    live.close();
  }

  @Test
  void decideWhenExpiredSessionTokenInQueryThenStillRefusedAndRevoked() throws Exception {
    Allowed first = (Allowed) decide("slt=" + ticket("alice"), null);
    String id = handshakeId(first);
    clock.advance(Duration.ofDays(1)); // the token has long expired; its session may live on rotated
    assertThat(reason(decide("lastEventId=" + id, null))).isEqualTo(Reason.TOKEN_IN_URL);
    assertThat(get(auth.revokeSession("unrelated"))).isNull(); // the store answers
  }

  @Test
  void decideWhenForgedOrForeignTokenInQueryThenJudgedAsUsualAndNothingRevoked() throws Exception {
    Allowed first = (Allowed) decide("slt=" + ticket("alice"), null);
    String id = handshakeId(first);
    String token = id.substring(0, id.length() - 1);
    String forged = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");
    SseAuth other = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.OTHER_SECRET).clock(clock).build());
    String foreign;
    try {
      Allowed o = (Allowed) get(other.decide(StreamRequest.get("slt=" + ((IssuedTicket) get(other.issueTicket(
          SsePrincipal.of("alice")))).ticket(), null, null)));
      foreign = handshakeId(o);
    } finally {
      other.close();
    }
    Decision d = decide("slt=" + ticket("alice") + "&a=" + forged + "&b=" + foreign, null);
    assertThat(d).isInstanceOf(Allowed.class);
    assertThat(((Allowed) d).appQuery()).contains(forged);
    assertThat(decide(null, id)).as("the real session was not revoked").isInstanceOf(Allowed.class);
  }

  @Test
  void decideWhenTokenInQueryBehindMalformedEscapesOrDecoysThenStillBurned() throws Exception {
    for (String shape : new String[] {
        "q=100%&lastEventId={idenc}",                      // a bad escape elsewhere: decoded leniently
        "q=%E9&lastEventId={idenc}",                       // Latin-1 elsewhere
        "lastEventId={id}_evt_41",                         // the app's own id holds the separator
        "{decoys}&lastEventId={id}"}) {                    // JWS-shaped decoys and foreign JWTs first
      Allowed first = (Allowed) decide("slt=" + ticket("alice"), null);
      String id = handshakeId(first) + "5";
      String decoys = "a=" + "eyJ.a.b&".repeat(20) + "jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
      // braces stand in no token, encoded id or decoy: no replacement rewrites what another put in
      String query = shape.replace("{idenc}", java.net.URLEncoder.encode(id, StandardCharsets.UTF_8))
          .replace("{id}", id).replace("{decoys}", decoys);
      assertThat(reason(decide(query, null))).as(shape).isEqualTo(Reason.TOKEN_IN_URL);
      assertThat(reason(decide(null, id))).as(shape).isEqualTo(Reason.SESSION_REVOKED);
    }
  }

  @Test
  void decideWhenSameLeakedTokenRepeatedThenOneRevocationAndOneLogLine() throws Exception {
    CountingStore counting = new CountingStore(new dev.sseauth.internal.MemoryStore(clock, 1000));
    create(base().store(counting));
    Allowed first = (Allowed) decide("slt=" + ticket("alice"), null);
    String query = "lastEventId=" + handshakeId(first) + "5";
    try (var log = new dev.sseauth.testing.LogCapture("dev.sseauth")) {
      for (int i = 0; i < 20; i++) {
        assertThat(reason(decide(query, null))).isEqualTo(Reason.TOKEN_IN_URL);
      }
      assertThat(counting.revocations.get()).isEqualTo(1);
      assertThat(log.at(java.util.logging.Level.WARNING)).hasSize(1);
    }
  }

  @Test
  void decideWhenLeakedTokenOfSessionPastItsCapThenRefusedWithoutRevoking() throws Exception {
    CountingStore counting = new CountingStore(new dev.sseauth.internal.MemoryStore(clock, 1000));
    create(base().store(counting).sessionMaxLifetime(Duration.ofHours(1)));
    Allowed first = (Allowed) decide("slt=" + ticket("alice"), null);
    clock.advance(Duration.ofHours(2)); // no session can be live any more: nothing to burn
    assertThat(reason(decide("lastEventId=" + handshakeId(first), null))).isEqualTo(Reason.TOKEN_IN_URL);
    assertThat(counting.revocations.get()).isZero();
  }

  @Test
  void decideWhenLeakedTokenAndStoreCannotRecordTheRevocationThen503() throws Exception {
    CountingStore counting = new CountingStore(new dev.sseauth.internal.MemoryStore(clock, 1000));
    create(base().store(counting).storeTimeout(Duration.ofMillis(100)));
    Allowed first = (Allowed) decide("slt=" + ticket("alice"), null);
    String query = "lastEventId=" + handshakeId(first);
    counting.failRevocations = true;
    assertThat(reason(decide(query, null))).isEqualTo(Reason.STORE_UNAVAILABLE);
    counting.failRevocations = false;
    assertThat(reason(decide(query, null))).as("burned on the retry").isEqualTo(Reason.TOKEN_IN_URL);
    assertThat(reason(decide(null, handshakeId(first)))).isEqualTo(Reason.SESSION_REVOKED);
  }

  /** A memory store that counts revocations and can refuse to record them. */
  private static class CountingStore extends dev.sseauth.testing.ForwardingStore {
    final java.util.concurrent.atomic.AtomicInteger revocations = new java.util.concurrent.atomic.AtomicInteger();
    volatile boolean failRevocations;

    CountingStore(SseAuthStore inner) {
      super(inner);
    }

    @Override
    public CompletionStage<Void> revoke(Revocation r) {
      if (failRevocations) {
        return CompletableFuture.failedFuture(new IllegalStateException("down"));
      }
      revocations.incrementAndGet();
      return inner.revoke(r);
    }
  }

  @Test
  void resyncWhenManyLiveStreamsThenAtMost64LookupsInFlightAndEveryStreamLookedUp() throws Exception {
    java.util.Queue<Runnable> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
    java.util.concurrent.atomic.AtomicReference<dev.sseauth.spi.RevocationListener> listener =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean hold = new java.util.concurrent.atomic.AtomicBoolean();
    dev.sseauth.internal.MemoryStore inner = new dev.sseauth.internal.MemoryStore(clock, 10_000);
    SseAuthStore store = new CountingStore(inner) {
      @Override
      public CompletionStage<RevocationStatus> revocationStatus(String sid, String subject) {
        if (!hold.get()) {
          return super.revocationStatus(sid, subject);
        }
        CompletableFuture<RevocationStatus> f = new CompletableFuture<>(); // answered by the test, below
        pending.add(() -> super.revocationStatus(sid, subject).thenAccept(f::complete));
        return f;
      }

      @Override
      public AutoCloseable subscribe(dev.sseauth.spi.RevocationListener l) {
        listener.set(l);
        return super.subscribe(r -> { }); // every announcement is missed: only the resync can find it
      }
    };
    create(base().store(store).storeTimeout(Duration.ofSeconds(30)));
    int n = 300;
    java.util.List<RecordingOutput> outs = new java.util.ArrayList<>();
    String revokedSid = null;
    for (int i = 0; i < n; i++) {
      Allowed a = (Allowed) decide("slt=" + ticket("user-" + i), null);
      RecordingOutput out = new RecordingOutput();
      outs.add(out);
      a.open(out);
      if (i == n - 1) {
        revokedSid = a.session().sessionId();
      }
    }
    Await.until(Duration.ofSeconds(5), "the opening lookups done", () -> pending.isEmpty());
    // a revocation the node never heard of (its link was down), then the store says it may have missed some
    get(inner.revoke(new Revocation(Revocation.Kind.SESSION, revokedSid, clock.instant(), clock.instant().plusSeconds(3600))));
    hold.set(true);
    listener.get().resync();
    int done = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (done < n && System.nanoTime() < deadline) {
      assertThat(pending.size()).as("lookups in flight").isLessThanOrEqualTo(64);
      Runnable answer = pending.poll();
      if (answer == null) {
        Thread.onSpinWait();
        continue;
      }
      answer.run();
      done++;
    }
    assertThat(done).as("every live stream looked up again").isEqualTo(n);
    Await.until(Duration.ofSeconds(5), "the missed revocation ends its stream", () -> outs.get(n - 1).ended() != null);
    assertThat(outs.subList(0, n - 1)).allMatch(o -> o.ended() == null);
  }

  @Test
  void retryWhenJitteredThenEachStreamGetsItsOwnWithinTheSpreadAndNoneWithout() throws Exception {
    java.util.Set<Long> seen = new java.util.TreeSet<>();
    for (int i = 0; i < 200; i++) {
      long r = retry(new String(((Allowed) decide("slt=" + ticket("u" + i), null)).handshake(), StandardCharsets.UTF_8));
      assertThat(r).isBetween(800L, 1200L);
      seen.add(r);
    }
    assertThat(seen).as("spread, not one value").hasSizeGreaterThan(50);
    assertThat(seen.stream().mapToLong(Long::longValue).min().getAsLong()).isLessThan(900); // both halves used
    assertThat(seen.stream().mapToLong(Long::longValue).max().getAsLong()).isGreaterThan(1100);
    create(base().retryJitter(0));
    for (int i = 0; i < 20; i++) {
      assertThat(retry(new String(((Allowed) decide("slt=" + ticket("v" + i), null)).handshake(),
          StandardCharsets.UTF_8))).isEqualTo(1000);
    }
  }

  @Test
  void heartbeatWhenAStreamIsQuietForItThenACommentAndNeverWhileItWrites() throws Exception {
    RecordingOutput quiet = new RecordingOutput();
    RecordingOutput busy = new RecordingOutput();
    LiveStream q = ((Allowed) decide("slt=" + ticket("alice"), null)).open(quiet);
    LiveStream b = ((Allowed) decide("slt=" + ticket("bob"), null)).open(busy);
    clock.advance(Duration.ofSeconds(10));
    awaitSweep();
    write(b, "id: 1\ndata: x\n\n"); // after a check at +10 s: quiet for 10 s at most at +20 s
    awaitSweep();
    clock.advance(Duration.ofSeconds(10));
    Await.until(Duration.ofSeconds(5), "the quiet stream's heartbeat", () -> quiet.written().equals(":\n\n"));
    assertThat(busy.written()).isEmpty();
    clock.advance(Duration.ofSeconds(16));
    Await.until(Duration.ofSeconds(5), "the other's, once it is quiet too", () -> busy.written().equals(":\n\n"));
    Await.until(Duration.ofSeconds(5), "the first's second", () -> quiet.written().equals(":\n\n:\n\n"));
    assertThat(quiet.ended()).isNull();
    q.close();
    b.close();
  }

  @Test
  void heartbeatWhenTheClientIsGoneThenTheStreamIsReleasedWithoutTheApplicationWriting() throws Exception {
    java.util.concurrent.atomic.AtomicInteger ended = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.CompletableFuture<String> responseEnded = new java.util.concurrent.CompletableFuture<>();
    create(base().listener(new SseAuthListener() {
      @Override
      public void streamEnded(Reason reason) {
        ended.incrementAndGet();
      }
    }));
    ((Allowed) decide("slt=" + ticket("alice"), null)).open(new StreamOutput() {
      @Override
      public void execute(Runnable task) {
        task.run();
      }

      @Override
      public void write(byte[] bytes) throws java.io.IOException {
        throw new java.io.IOException("broken pipe");
      }

      @Override
      public void end(Reason reason) {
        responseEnded.complete(reason == null ? "client gone" : reason.name());
      }
    });
    assertThat(auth.liveStreams()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(15));
    Await.until(Duration.ofSeconds(5), "the dead stream released", () -> auth.liveStreams() == 0);
    assertThat(ended.get()).isEqualTo(1);
    // and its response ended, so that the application's next write fails instead of reaching an untracked stream
    assertThat(responseEnded).isCompletedWithValue("client gone");
  }

  @Test
  void heartbeatWhenOffThenNone() throws Exception {
    create(base().heartbeat(Duration.ZERO));
    RecordingOutput quiet = new RecordingOutput();
    RecordingOutput rotating = new RecordingOutput();
    LiveStream q = ((Allowed) decide("slt=" + ticket("alice"), null)).open(quiet);
    clock.advance(Duration.ofMinutes(1));
    LiveStream r = ((Allowed) decide("slt=" + ticket("bob"), null)).open(rotating);
    clock.advance(Duration.ofMinutes(10)); // both due for rotation: the rotation events are the sync point
    Await.until(Duration.ofSeconds(5), "rotations", () -> quiet.written().contains("event: sseauth-rotate")
        && rotating.written().contains("event: sseauth-rotate"));
    assertThat(quiet.written().replaceAll("event: sseauth-rotate\nid: [^\n]+\ndata:\n\n", "")).isEmpty();
    q.close();
    r.close();
  }

  @Test
  void heartbeatWhenTheStreamWroteThenWentQuietThenAComment() throws Exception {
    RecordingOutput out = new RecordingOutput();
    LiveStream q = ((Allowed) decide("slt=" + ticket("alice"), null)).open(out);
    write(q, "id: 1\ndata: event 1\n\n"); // whether or not a check sees it before the clock moves
    clock.advance(Duration.ofSeconds(16));
    Await.until(Duration.ofSeconds(5), "a heartbeat after the application's event", () -> out.written().equals(":\n\n"));
    q.close();
  }
}
