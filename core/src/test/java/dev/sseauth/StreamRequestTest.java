package dev.sseauth;

import dev.sseauth.adapter.StreamRequest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamRequestTest {
  private static String latin1(byte... bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  @Test
  void utf8HeaderWhenBytesAreUtf8ThenDecoded() {
    assertThat(StreamRequest.utf8Header(latin1((byte) 0xC3, (byte) 0xA9))).isEqualTo("\u00E9");
    assertThat(StreamRequest.utf8Header("abc_1")).isEqualTo("abc_1");
    assertThat(StreamRequest.utf8Header(null)).isNull();
    assertThat(StreamRequest.utf8Header("already \u20AC decoded \u00E9")).isEqualTo("already \u20AC decoded \u00E9");
  }

  @Test
  void utf8HeaderWhenBytesAreNotUtf8ThenNeverValidates() {
    for (String bad : List.of(latin1((byte) 0xC3, (byte) 0x28), latin1((byte) 0xFF), latin1((byte) 0xC0, (byte) 0xAF),
        latin1((byte) 0xED, (byte) 0xA0, (byte) 0x80), "tok_1" + latin1((byte) 0x80))) {
      assertThat(StreamRequest.utf8Header(bad)).isEqualTo("\0");
    }
  }

  @Test
  void guardsWhenPathHoldsEncodedControlCharThenGuarded() {
    SseAuthConfig c = SseAuthConfig.builder().tokenSecret(dev.sseauth.testing.TestKeys.SECRET)
        .paths(List.of("/events/**")).build();
    assertThat(c.guards("/events%00")).isTrue();
    assertThat(c.guards("/events%0d%0a")).isTrue();
    assertThat(c.guards("/other%09")).isTrue();
    assertThat(c.guards("/other")).isFalse();
  }

  @Test
  void toStringWhenTicketAndTokenPresentThenShowsNeither() {
    String ticket = "tkt-Zq7vN1mJfLw0bXc4oP9sRe2uYh6tKdA8gF3iQ5nM1B";
    String token = "eyJ0eXAiOiJzc2VhdXRoK2p3dCJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl_41";
    String s = StreamRequest.get("slt=" + ticket + "&x=1", token, "https://app.example").toString();
    assertThat(s).doesNotContain(ticket).doesNotContain(token).doesNotContain("eyJ").doesNotContain("slt=")
        .contains("GET").contains("https://app.example").contains("query=present").contains("lastEventId=present");
    assertThat(new StreamRequest("POST", null, null, null).toString())
        .contains("POST").contains("query=absent").contains("lastEventId=absent").contains("origin=absent");
  }
}
