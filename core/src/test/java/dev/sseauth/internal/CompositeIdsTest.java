package dev.sseauth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CompositeIdsTest {
  private static final String JWS = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0." + "a_b".repeat(12) + "_c";
  private static final String WIRE = CompositeIds.toWire(JWS);

  @Test
  void embeddedJwsWhenSignatureHoldsManyUnderscoresThenWholeTokenIsACandidate() {
    // a signature with more '_' (wire: '~') than any cap on candidates must still be found whole
    assertThat(CompositeIds.embeddedJws("lastEventId=" + WIRE + "_41")).contains(JWS);
    assertThat(CompositeIds.embeddedJws("q=" + WIRE)).contains(JWS);
    assertThat(CompositeIds.embeddedJws("q=" + JWS)).contains(JWS);
    assertThat(CompositeIds.embeddedJws("q=" + JWS + "_41")).contains(JWS);
    assertThat(CompositeIds.embeddedJws("x=1&resume=" + WIRE + "!7&y=2")).contains(JWS);
  }

  @Test
  void embeddedJwsWhenManyCandidatesThenAtMostEight() {
    assertThat(CompositeIds.embeddedJws(("a=" + WIRE + "&").repeat(50))).hasSizeLessThanOrEqualTo(8);
  }

  @Test
  void embeddedJwsWhenNoTokenShapeThenNone() {
    assertThat(CompositeIds.embeddedJws("a=1&eyJ=2&b=eyJx.y")).isEmpty();
    assertThat(CompositeIds.embeddedJws("slt=" + "A".repeat(43))).isEmpty();
  }
}
