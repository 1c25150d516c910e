package dev.sseauth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CompositeIdsTest {
  private static final String HEADER = "eyJraWQiOiJrMSIsInR5cCI6InNzZWF1dGgrand0IiwiYWxnIjoiSFMyNTYifQ";
  private static final List<String> PREFIXES = List.of(HEADER + ".");
  private static final String JWS = HEADER + ".eyJzdWIiOiJhIn0." + "a_b".repeat(12) + "_c";
  private static final String WIRE = CompositeIds.toWire(JWS);

  private static List<String> scan(String text) {
    return CompositeIds.embeddedTokens(text, PREFIXES, 8);
  }

  @Test
  void embeddedTokensWhenSignatureHoldsManyUnderscoresThenWholeTokenIsACandidate() {
    // a signature with more '_' (wire: '~') than the cap on candidates must still be found whole
    assertThat(scan("lastEventId=" + WIRE + "_41")).contains(JWS);
    assertThat(scan("q=" + WIRE)).contains(JWS);
    assertThat(scan("q=" + JWS)).contains(JWS);
    assertThat(scan("q=" + JWS + "_41")).contains(JWS);
    assertThat(scan("x=1&resume=" + WIRE + "!7&y=2")).contains(JWS);
  }

  @Test
  void embeddedTokensWhenAppIdHoldsTheSeparatorThenTokenStillFound() {
    // event-source-polyfill sends the whole composite id: the app's own id may hold '_' and '~'
    assertThat(scan("lastEventId=" + WIRE + "_evt_41")).contains(JWS);
    assertThat(scan("lastEventId=" + WIRE + "_a~b_c")).contains(JWS);
  }

  @Test
  void embeddedTokensWhenManyDecoysThenOnlyThisDeploymentsHeaderCountsAndAtMostEight() {
    // JWS-shaped decoys and an application's own JWTs do not use up the candidates
    String decoys = "a=" + "eyJ.a.b&".repeat(20) + "jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln&";
    assertThat(scan(decoys + "lastEventId=" + WIRE + "_5")).contains(JWS);
    assertThat(scan(("a=" + WIRE + "&").repeat(50))).hasSizeLessThanOrEqualTo(8);
    assertThat(scan(("b=" + HEADER + ".x.y" + "_z".repeat(5) + "&").repeat(50))).hasSizeLessThanOrEqualTo(8);
  }

  @Test
  void embeddedTokensWhenOnlyLookalikesThenNone() {
    assertThat(scan("q=" + "eyJ".repeat(3000) + "%41")).isEmpty();
    assertThat(scan("a=1&eyJ=2&b=eyJx.y.z")).isEmpty();
    assertThat(scan("q=" + HEADER + ".only-one-dot")).isEmpty();
    assertThat(scan("slt=" + "A".repeat(43))).isEmpty();
  }
}
