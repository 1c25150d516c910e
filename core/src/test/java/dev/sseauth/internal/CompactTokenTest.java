package dev.sseauth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.Reason;
import dev.sseauth.SessionKey;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.TokenFormat;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * The compact token ({@code sseauth.token.format=compact}, the default): its size, its round trip, and
 * that any change to it, however small, is refused; the JWS form is {@link TokenServiceTest}'s.
 */
class CompactTokenTest {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final String SUBJECT_20 = "alice.m@example.com1";

  private final MutableClock clock = MutableClock.atRealTime();
  private final SseAuthConfig config = SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).clock(clock)
      .tokenIssuer("https://issuer.example").tokenAudience("streams").build();
  private final TokenService tokens = new TokenService(config, () -> "deployment-1");
  private final SsePrincipal alice = new SsePrincipal("alice", Map.of("tenant", "t1"));

  private String mint() {
    return tokens.mint(alice, "sid-1", clock.instant(), null, clock.instant()).token();
  }

  private static Reason refusal(TokenService service, String token, Instant now) {
    TokenService.Result r = service.verify(token, now);
    assertThat(r).as("verifying a changed token").isInstanceOf(TokenService.Refused.class);
    return ((TokenService.Refused) r).reason();
  }

  private Reason refusal(String token) {
    return refusal(tokens, token, clock.instant());
  }

  private static TokenService service(SseAuthConfig.Builder b, String deployment) {
    return new TokenService(b.build(), () -> deployment);
  }

  private static byte[] bytes(String token) {
    return B64D.decode(token);
  }

  private static String token(byte[] bytes) {
    return B64.encodeToString(bytes);
  }

  // ---- the form and its size ----

  @Test
  void mintWhenDefaultFormatThenCompactNoDotAndVerifiesWithSessionAttributesAndTimes() {
    assertThat(config.tokenFormat()).isEqualTo(TokenFormat.COMPACT);
    Instant start = clock.instant().minusSeconds(90).minusMillis(123);
    Instant rvk = start.minus(Duration.ofDays(3)).plusMillis(7);
    TokenService.Minted m = tokens.mint(alice, "sid-1", start, rvk, clock.instant());
    assertThat(m.token()).doesNotContain(".").matches("[A-Za-z0-9_-]+");
    assertThat(bytes(m.token())[0]).isEqualTo(CompactTokens.VERSION);
    TokenService.Verified v = (TokenService.Verified) tokens.verify(m.token(), clock.instant());
    assertThat(v.session()).isEqualTo(m.session());
    assertThat(v.session().principal()).isEqualTo(alice);
    assertThat(v.session().sessionId()).isEqualTo("sid-1");
    assertThat(v.session().sessionStart()).isEqualTo(start);
    assertThat(v.session().expiresAt()).isEqualTo(Instant.ofEpochSecond(clock.instant().plus(Duration.ofHours(1)).getEpochSecond()));
    assertThat(v.issuedAt()).isEqualTo(m.issuedAt()).isEqualTo(Instant.ofEpochSecond(clock.instant().getEpochSecond()));
    assertThat(v.knownRevocation()).isEqualTo(rvk);
    assertThat(tokens.signedSession(m.token())).isEqualTo(new TokenService.Signed("sid-1", start));
  }

  /**
   * Issue 13's budget: a 20-character subject without attributes is at most 100 characters on the wire, so
   * a composite id with a 10-character application id stays at or under 128 (the size above which Chromium
   * counts a cross-origin Last-Event-ID for a possible preflight rule). Fresh, rotated near the session
   * cap, and with a known revocation from a year before; minted through the real flow too.
   */
  @Test
  void mintWhenTwentyCharacterSubjectThenAtMost100OnTheWireAndCompositeIdAtMost128() {
    SseAuthConfig defaults = SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).clock(clock).build();
    TokenService service = new TokenService(defaults, () -> Tickets.randomId(12)); // a deployment id as stores make them
    SsePrincipal p = SsePrincipal.of(SUBJECT_20);
    assertThat(p.subject()).hasSize(20);
    Instant now = clock.instant();
    String sid = Tickets.randomId(12); // as the core makes session ids
    List<String> wires = List.of(
        CompositeIds.toWire(service.mint(p, sid, now, null, now).token()),
        CompositeIds.toWire(service.mint(p, sid, now.minus(Duration.ofHours(11).plusMinutes(59)), null, now).token()),
        CompositeIds.toWire(service.mint(p, sid, now.minus(Duration.ofHours(11)), now.minus(Duration.ofDays(365)), now).token()));
    for (String wire : wires) {
      assertThat(wire.length()).as(wire).isLessThanOrEqualTo(100);
      assertThat(wire.getBytes(StandardCharsets.UTF_8)).hasSize(wire.length());
      assertThat(CompositeIds.encode(wire, '_', "0123456789").length()).isLessThanOrEqualTo(128);
    }
    try (SseAuth auth = SseAuth.create(defaults)) {
      String composite = dev.sseauth.testing.Tickets.handshakeId(auth, SUBJECT_20);
      String wire = dev.sseauth.testing.Tickets.tokenOf(composite);
      assertThat(wire.length()).isLessThanOrEqualTo(100);
      assertThat((wire + "_0123456789").length()).isLessThanOrEqualTo(128);
      assertThat(dev.sseauth.testing.Tickets.resume(auth, wire + "_0123456789")).isInstanceOf(Allowed.class);
    }
    try (SseAuth auth = SseAuth.create(defaults.toBuilder().tokenFormat(TokenFormat.JWS).build())) {
      String jws = dev.sseauth.testing.Tickets.tokenOf(dev.sseauth.testing.Tickets.handshakeId(auth, SUBJECT_20));
      assertThat(jws.length()).as("the JWS form, for comparison").isGreaterThan(200);
    }
  }

  // ---- claims checks: the same as the JWS form's ----

  @Test
  void verifyWhenExpiredBeyondSkewThenTokenExpired() {
    String token = mint();
    Instant exp = Instant.ofEpochSecond(clock.instant().plus(Duration.ofHours(1)).getEpochSecond());
    assertThat(tokens.verify(token, exp.plusSeconds(30).minusMillis(1))).isInstanceOf(TokenService.Verified.class);
    assertThat(refusal(tokens, token, exp.plusSeconds(30))).isEqualTo(Reason.TOKEN_EXPIRED);
  }

  @Test
  void verifyWhenIssuedLaterThanTheSkewAheadThenInvalid() {
    Instant ahead = clock.instant().plusSeconds(31);
    String future = tokens.mint(alice, "sid-1", clock.instant(), null, ahead).token();
    assertThat(refusal(future)).isEqualTo(Reason.INVALID_TOKEN);
    String withinSkew = tokens.mint(alice, "sid-1", clock.instant(), null, clock.instant().plusSeconds(29)).token();
    assertThat(tokens.verify(withinSkew, clock.instant())).isInstanceOf(TokenService.Verified.class);
    String startAhead = tokens.mint(alice, "sid-1", clock.instant().plusSeconds(40), null, clock.instant()).token();
    assertThat(refusal(startAhead)).isEqualTo(Reason.INVALID_TOKEN);
  }

  @Test
  void verifyWhenSessionPastAbsoluteCapThenSessionExpired() {
    Instant start = clock.instant().minus(Duration.ofHours(13));
    assertThat(refusal(tokens.mint(alice, "s", start, null, clock.instant()).token())).isEqualTo(Reason.SESSION_EXPIRED);
  }

  @Test
  void verifyWhenAnotherAudienceIssuerOrDeploymentThenInvalid() {
    String token = mint();
    SseAuthConfig.Builder same = config.toBuilder();
    assertThat(service(same, "x").verify(token, clock.instant())).isInstanceOf(TokenService.Verified.class);
    assertThat(refusal(service(config.toBuilder().tokenAudience("other"), "x"), token, clock.instant()))
        .isEqualTo(Reason.INVALID_TOKEN);
    assertThat(refusal(service(config.toBuilder().tokenIssuer("https://other.example"), "x"), token, clock.instant()))
        .isEqualTo(Reason.INVALID_TOKEN);
    assertThat(refusal(service(config.toBuilder().tokenIssuer(null), "x"), token, clock.instant()))
        .isEqualTo(Reason.INVALID_TOKEN);
    // by default the audience is the store's deployment id: another deployment sharing the secret refuses
    SseAuthConfig bare = SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).clock(clock).build();
    TokenService one = new TokenService(bare, () -> "deployment-1");
    String fromOne = one.mint(alice, "sid-1", clock.instant(), null, clock.instant()).token();
    assertThat(one.verify(fromOne, clock.instant())).isInstanceOf(TokenService.Verified.class);
    assertThat(refusal(new TokenService(bare, () -> "deployment-2"), fromOne, clock.instant())).isEqualTo(Reason.INVALID_TOKEN);
  }

  // ---- keys ----

  @Test
  void verifyWhenKeyRotatedThenOldKidStillVerifiesAndUnknownKidOrOtherSecretDoesNot() {
    SessionKey k1 = SessionKey.hmac("k1", TestKeys.SECRET);
    SessionKey k2 = SessionKey.hmac("k2", TestKeys.OTHER_SECRET);
    TokenService old = service(config.toBuilder().signingKey(k1), "x");
    TokenService rotated = service(SseAuthConfig.builder().signingKey(k2).verificationKeys(List.of(k1)).clock(clock)
        .tokenIssuer("https://issuer.example").tokenAudience("streams"), "x");
    String byK1 = old.mint(alice, "sid-1", clock.instant(), null, clock.instant()).token();
    String byK2 = rotated.mint(alice, "sid-1", clock.instant(), null, clock.instant()).token();
    assertThat(rotated.verify(byK1, clock.instant())).isInstanceOf(TokenService.Verified.class);
    assertThat(rotated.verify(byK2, clock.instant())).isInstanceOf(TokenService.Verified.class);
    assertThat(refusal(old, byK2, clock.instant())).as("k2 is unknown to the old node").isEqualTo(Reason.INVALID_TOKEN);
    // the same kid with another secret, and the same secret under another kid
    TokenService otherSecret = service(config.toBuilder().signingKey(SessionKey.hmac("k1", TestKeys.OTHER_SECRET)), "x");
    assertThat(refusal(otherSecret.mint(alice, "sid-1", clock.instant(), null, clock.instant()).token()))
        .isEqualTo(Reason.INVALID_TOKEN);
    TokenService otherKid = service(config.toBuilder().signingKey(SessionKey.hmac("k9", TestKeys.SECRET)), "x");
    assertThat(refusal(otherKid.mint(alice, "sid-1", clock.instant(), null, clock.instant()).token()))
        .isEqualTo(Reason.INVALID_TOKEN);
  }

  @Test
  void verifyWhenKeyTagSwappedForAnotherConfiguredKeysThenInvalid() {
    SessionKey k1 = SessionKey.hmac("k1", TestKeys.SECRET);
    SessionKey k2 = SessionKey.hmac("k2", TestKeys.OTHER_SECRET);
    TokenService both = service(config.toBuilder().signingKey(k2).verificationKeys(List.of(k1)), "x");
    TokenService byK1 = service(config.toBuilder().signingKey(k1), "x");
    byte[] one = bytes(byK1.mint(alice, "sid-1", clock.instant(), null, clock.instant()).token());
    byte[] two = bytes(both.mint(alice, "sid-1", clock.instant(), null, clock.instant()).token());
    assertThat(Arrays.copyOf(one, CompactTokens.HEADER_BYTES)).isNotEqualTo(Arrays.copyOf(two, CompactTokens.HEADER_BYTES));
    byte[] swapped = one.clone();
    System.arraycopy(two, 0, swapped, 0, CompactTokens.HEADER_BYTES);
    assertThat(refusal(both, token(swapped), clock.instant())).isEqualTo(Reason.INVALID_TOKEN);
    assertThat(both.verify(token(one), clock.instant())).isInstanceOf(TokenService.Verified.class);
  }

  @Test
  void verifyWhenOnlyEsOrRsKeysThenACompactTokenNeverVerifies() throws Exception {
    var ec = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).keyID("k1")
        .algorithm(com.nimbusds.jose.JWSAlgorithm.ES256).generate();
    TokenService es = service(config.toBuilder().signingKey(SessionKey.fromJwk(ec)).tokenFormat(TokenFormat.JWS), "x");
    assertThat(refusal(es, mint(), clock.instant())).isEqualTo(Reason.INVALID_TOKEN);
    assertThat(es.headerPrefixes()).allMatch(p -> p.endsWith("."));
  }

  // ---- both forms verify, whatever is minted ----

  @Test
  void verifyWhenFormatSwitchedEitherWayThenTokensOfTheOtherFormStillVerify() {
    TokenService jws = service(config.toBuilder().tokenFormat(TokenFormat.JWS), "x");
    String jwsToken = jws.mint(alice, "sid-1", clock.instant(), null, clock.instant()).token();
    String compactToken = mint();
    assertThat(jwsToken).contains(".");
    TokenService.Verified a = (TokenService.Verified) tokens.verify(jwsToken, clock.instant());
    TokenService.Verified b = (TokenService.Verified) jws.verify(compactToken, clock.instant());
    assertThat(a.session()).isEqualTo(b.session());
    assertThat(tokens.signedSession(jwsToken)).isEqualTo(jws.signedSession(compactToken));
  }

  @Test
  void decideWhenDeploymentSwitchesFromJwsToCompactThenSessionsGoOnAndRotateIntoCompact() {
    SseAuthConfig jws = SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).clock(clock).tokenAudience("app")
        .tokenFormat(TokenFormat.JWS).build();
    String jwsId;
    try (SseAuth before = SseAuth.create(jws)) {
      jwsId = dev.sseauth.testing.Tickets.handshakeId(before, "alice");
    }
    assertThat(jwsId).contains(".");
    try (SseAuth after = SseAuth.create(jws.toBuilder().tokenFormat(TokenFormat.COMPACT).build())) {
      Allowed same = (Allowed) dev.sseauth.testing.Tickets.resume(after, jwsId + "41");
      assertThat(same.session().principal().subject()).isEqualTo("alice");
      clock.advance(Duration.ofMinutes(11)); // past rotate-after: the reconnect rotates, into the compact form
      Allowed a = (Allowed) dev.sseauth.testing.Tickets.resume(after, jwsId + "41");
      assertThat(new String(a.handshake(), StandardCharsets.UTF_8)).containsPattern("\nid: [A-Za-z0-9~-]{60,100}_41\n");
    }
  }

  // ---- what is refused, and never throws ----

  @Test
  void verifyWhenTicketGarbageOrNonCanonicalThenInvalidWithoutThrowing() {
    String token = mint();
    for (String bad : List.of(Tickets.newTicket(), "", "A", "AAAA", "A".repeat(60), "~".repeat(80), token + "=",
        token.substring(1), token + "A", token.replace('_', '/').replace('-', '+'), "é" + token.substring(1), token + "\n")) {
      if (bad.equals(token)) {
        continue; // a token with neither '_' nor '-' (rare): nothing to swap
      }
      assertThat(refusal(bad)).as(bad).isEqualTo(Reason.INVALID_TOKEN);
    }
    // the last character's unused low bits set: the same bytes, another spelling, refused
    int bits = (token.length() * 6) % 8;
    if (bits != 0) {
      String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      int last = alphabet.indexOf(token.charAt(token.length() - 1));
      String respelt = token.substring(0, token.length() - 1) + alphabet.charAt(last | 1);
      assertThat(B64D.decode(respelt)).isEqualTo(B64D.decode(token));
      assertThat(refusal(respelt)).isEqualTo(Reason.INVALID_TOKEN);
    }
  }

  @Test
  void verifyWhenOverTheMaximumLengthThenInvalidBeforeDecoding() {
    SsePrincipal big = new SsePrincipal("alice", Map.of("blob", "x".repeat(3000)));
    String token = tokens.mint(big, "sid-1", clock.instant(), null, clock.instant()).token();
    assertThat(token.length()).isGreaterThan(config.tokenMaxLength());
    assertThat(refusal(token)).isEqualTo(Reason.INVALID_TOKEN);
    assertThat(tokens.signedSession(token)).isNull();
    TokenService roomy = service(config.toBuilder().tokenMaxLength(8192), "x");
    assertThat(roomy.verify(token, clock.instant())).isInstanceOf(TokenService.Verified.class);
  }

  @Test
  void leakScanWhenCompactTokenInAQueryThenFoundInWireAndPlainFormBehindAnySeparator() {
    String token = mint();
    String wire = CompositeIds.toWire(token);
    assertThat(tokens.headerPrefixes()).first().isEqualTo(token.substring(0, 8));
    for (String query : List.of("lastEventId=" + wire + "_5", "lastEventId=" + token + "_5", "a=1&t=" + wire,
        "x=" + token + "!7&y=2", "q=" + wire + "." + "more")) {
      List<String> found = CompositeIds.embeddedTokens(query, tokens.headerPrefixes(), 8);
      assertThat(found).as(query).contains(token);
      assertThat(found.stream().filter(t -> tokens.signedSession(t) != null)).as(query).containsExactly(token);
    }
  }

  // ---- properties ----

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.strings().ofMinLength(1).ofMaxLength(40)
        .filter(s -> s.equals(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)));
  }

  @Provide
  Arbitrary<Map<String, String>> attributes() {
    return Arbitraries.maps(texts(), Arbitraries.strings().ofMaxLength(30)
        .filter(s -> s.equals(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)))).ofMaxSize(4);
  }

  @Provide
  Arbitrary<String> sessionIds() {
    return Arbitraries.oneOf(Arbitraries.integers().between(1, 24).map(Tickets::randomId), texts());
  }

  /**
   * Any subject, attributes, session id and times: the token verifies to exactly what was minted, and the
   * same token verifies on a node that mints JWS.
   */
  @Property(tries = 300)
  void mintThenVerifyRoundTripsAnySession(@ForAll("texts") String subject, @ForAll("attributes") Map<String, String> attributes,
      @ForAll("sessionIds") String sid, @ForAll @LongRange(min = 0, max = 11 * 3600_000L) long age,
      @ForAll @LongRange(min = -1, max = 3650L * 86_400_000L) long revokedBefore,
      @ForAll @LongRange(min = 1_000_000_000_000L, max = 4_000_000_000_000L) long nowMillis) {
    Instant now = Instant.ofEpochMilli(nowMillis);
    Instant start = now.minusMillis(age);
    Instant rvk = revokedBefore < 0 ? null : start.minusMillis(revokedBefore);
    SsePrincipal p = new SsePrincipal(subject, attributes);
    TokenService.Minted m = tokens.mint(p, sid, start, rvk, now);
    assertThat(m.token()).doesNotContain(".").matches("[A-Za-z0-9_-]+");
    for (TokenService verifier : List.of(tokens, service(config.toBuilder().tokenFormat(TokenFormat.JWS), "x"))) {
      TokenService.Result r = verifier.verify(m.token(), now);
      assertThat(r).isInstanceOf(TokenService.Verified.class);
      TokenService.Verified v = (TokenService.Verified) r;
      assertThat(v.session()).isEqualTo(m.session());
      assertThat(v.session().principal()).isEqualTo(p);
      assertThat(v.session().sessionId()).isEqualTo(sid);
      assertThat(v.session().sessionStart()).isEqualTo(start);
      assertThat(v.issuedAt()).isEqualTo(m.issuedAt());
      assertThat(v.knownRevocation()).isEqualTo(rvk);
    }
    CompositeIds.Parts parts = CompositeIds.parse(CompositeIds.encode(CompositeIds.toWire(m.token()), '_', "41"), '_', 2048);
    assertThat(parts.token()).isEqualTo(m.token());
  }

  @Provide
  Arbitrary<String> minted() {
    return Combinators.combine(texts(), attributes(), sessionIds(), Arbitraries.of(true, false))
        .as((subject, attributes, sid, revoked) -> tokens.mint(new SsePrincipal(subject, attributes), sid,
            clock.instant().minusSeconds(60), revoked ? clock.instant().minus(Duration.ofDays(2)) : null,
            clock.instant()).token());
  }

  /** Any one bit flipped, anywhere: version, key tag, claims or tag. */
  @Property(tries = 500)
  void verifyWhenAnyBitFlippedThenInvalid(@ForAll("minted") String token, @ForAll @IntRange(min = 0, max = 100_000) int at) {
    byte[] b = bytes(token);
    int bit = at % (b.length * 8);
    b[bit / 8] ^= (byte) (1 << (bit % 8));
    assertThat(refusal(token(b))).isEqualTo(Reason.INVALID_TOKEN);
  }

  /** Any byte dropped, any byte added anywhere, the tag cut short by any number of bytes. */
  @Property(tries = 500)
  void verifyWhenAByteDroppedAddedOrTheTagTruncatedThenInvalid(@ForAll("minted") String token,
      @ForAll @IntRange(min = 0, max = 100_000) int at, @ForAll byte added,
      @ForAll @IntRange(min = 1, max = CompactTokens.TAG_BYTES) int cut) {
    byte[] b = bytes(token);
    int i = at % b.length;
    byte[] dropped = new byte[b.length - 1];
    System.arraycopy(b, 0, dropped, 0, i);
    System.arraycopy(b, i + 1, dropped, i, b.length - i - 1);
    assertThat(refusal(token(dropped))).isEqualTo(Reason.INVALID_TOKEN);
    int j = at % (b.length + 1);
    byte[] grown = new byte[b.length + 1];
    System.arraycopy(b, 0, grown, 0, j);
    grown[j] = added;
    System.arraycopy(b, j, grown, j + 1, b.length - j);
    assertThat(refusal(token(grown))).isEqualTo(Reason.INVALID_TOKEN);
    assertThat(refusal(token(Arrays.copyOf(b, b.length - cut)))).isEqualTo(Reason.INVALID_TOKEN);
  }

  /** On the wire: any character replaced, dropped or added, as a Last-Event-ID would carry it. */
  @Property(tries = 500)
  void resumeWhenAnyCharacterOfTheWireTokenChangedThenRefused(@ForAll("minted") String token,
      @ForAll @IntRange(min = 0, max = 100_000) int at, @ForAll char c) {
    String wire = CompositeIds.toWire(token);
    int i = at % wire.length();
    Assume.that(wire.charAt(i) != c);
    for (String changed : List.of(wire.substring(0, i) + c + wire.substring(i + 1), wire.substring(0, i) + wire.substring(i + 1),
        wire.substring(0, i) + c + wire.substring(i))) {
      CompositeIds.Parts parts = CompositeIds.parse(changed + "_41", '_', 2048);
      if (parts != null && !parts.token().equals(token)) {
        assertThat(tokens.verify(parts.token(), clock.instant())).as(changed).isInstanceOf(TokenService.Refused.class);
      }
    }
  }

  /** Arbitrary text (no dot: read as a compact token) is refused and never throws. */
  @Property(tries = 500)
  void verifyWhenArbitraryTextThenRefusedWithoutThrowing(@ForAll String anything) {
    assertThat(tokens.verify(anything, clock.instant())).isInstanceOf(TokenService.Refused.class);
    assertThat(tokens.signedSession(anything)).isNull();
  }

  /** Arbitrary bytes behind this key's own header: refused (the tag), never throwing. */
  @Property(tries = 500)
  void verifyWhenArbitraryBytesBehindAGenuineHeaderThenRefused(@ForAll byte[] tail) {
    byte[] header = Arrays.copyOf(bytes(mint()), CompactTokens.HEADER_BYTES);
    byte[] b = Arrays.copyOf(header, header.length + tail.length);
    System.arraycopy(tail, 0, b, header.length, tail.length);
    assertThat(refusal(token(b))).isEqualTo(Reason.INVALID_TOKEN);
  }

  @Test
  void zigzagWhenAnyLongThenRoundTrips() {
    Map<Long, Long> seen = new HashMap<>();
    for (long v : new long[] {0, 1, -1, 63, -64, 64, Long.MAX_VALUE, Long.MIN_VALUE, 1_700_000_000_000L}) {
      assertThat(CompactTokens.unzigzag(CompactTokens.zigzag(v))).isEqualTo(v);
      seen.put(CompactTokens.zigzag(v), v);
    }
    assertThat(seen).hasSize(9);
  }
}
