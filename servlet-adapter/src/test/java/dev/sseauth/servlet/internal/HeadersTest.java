package dev.sseauth.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeadersTest {
  static String asLatin1(String s) {
    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  @Test
  void utf8WhenContainerDecodedUtf8BytesAsLatin1ThenReadsThemAsUtf8() {
    assertThat(Headers.utf8(asLatin1("tok_\u00e9t\u00e9"))).isEqualTo("tok_\u00e9t\u00e9");
    assertThat(Headers.utf8(asLatin1("tok_\uD83D\uDE00"))).isEqualTo("tok_\uD83D\uDE00");
  }

  @Test
  void utf8WhenAsciiOrAlreadyDecodedThenUnchanged() {
    assertThat(Headers.utf8(null)).isNull();
    assertThat(Headers.utf8("tok_41")).isEqualTo("tok_41");
    assertThat(Headers.utf8("tok_\u4e2d")).isEqualTo("tok_\u4e2d");
  }

  @Test
  void utf8WhenBytesAreNotUtf8ThenAValueThatNeverValidates() {
    assertThat(Headers.utf8("tok_\u00e9t\u00e9")).isEqualTo("\0"); // a lone Latin-1 byte is not UTF-8
    assertThat(Headers.utf8("\u00ff\u00fe")).isEqualTo("\0");
  }

  @Test
  void isEventStreamWhenParametersOrCaseDifferThenStillAnEventStream() {
    assertThat(Responses.isEventStream("text/event-stream")).isTrue();
    assertThat(Responses.isEventStream("Text/Event-Stream; charset=UTF-8")).isTrue();
    assertThat(Responses.isEventStream("text/event-streams")).isFalse();
    assertThat(Responses.isEventStream("application/json")).isFalse();
    assertThat(Responses.isEventStream(null)).isFalse();
  }
}
