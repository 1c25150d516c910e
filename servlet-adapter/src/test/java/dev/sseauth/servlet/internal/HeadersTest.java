package dev.sseauth.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.IssuedTicket;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.StreamRequest;
import dev.sseauth.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The header rules the servlet adapter once held itself, now the core's: it reads {@code Last-Event-ID}
 * through {@link StreamRequest#of} and asks {@link Allowed#rewrites} whether a response is an event stream.
 */
class HeadersTest {
  static String asLatin1(String s) {
    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  /** The {@code Last-Event-ID} the adapter reads from a request whose container decoded it as {@code value}. */
  static String utf8(String value) {
    return StreamRequest.of("GET", null, name -> name.equalsIgnoreCase("Last-Event-ID") ? value : null).lastEventId();
  }

  static boolean isEventStream(String contentType) {
    try (SseAuth auth = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).build())) {
      String ticket = ((IssuedTicket) auth.issueTicket(SsePrincipal.of("alice")).toCompletableFuture().join()).ticket();
      Allowed a = (Allowed) auth.decide(StreamRequest.get("slt=" + ticket, null, null)).toCompletableFuture().join();
      return a.rewrites(200, contentType);
    }
  }

  @Test
  void utf8WhenContainerDecodedUtf8BytesAsLatin1ThenReadsThemAsUtf8() {
    assertThat(utf8(asLatin1("tok_\u00e9t\u00e9"))).isEqualTo("tok_\u00e9t\u00e9");
    assertThat(utf8(asLatin1("tok_\uD83D\uDE00"))).isEqualTo("tok_\uD83D\uDE00");
  }

  @Test
  void utf8WhenAsciiOrAlreadyDecodedThenUnchanged() {
    assertThat(utf8(null)).isNull();
    assertThat(utf8("tok_41")).isEqualTo("tok_41");
    assertThat(utf8("tok_\u4e2d")).isEqualTo("tok_\u4e2d");
  }

  @Test
  void utf8WhenBytesAreNotUtf8ThenAValueThatNeverValidates() {
    assertThat(utf8("tok_\u00e9t\u00e9")).isEqualTo("\0"); // a lone Latin-1 byte is not UTF-8
    assertThat(utf8("\u00ff\u00fe")).isEqualTo("\0");
  }

  @Test
  void isEventStreamWhenParametersOrCaseDifferThenStillAnEventStream() {
    assertThat(isEventStream("text/event-stream")).isTrue();
    assertThat(isEventStream("Text/Event-Stream; charset=UTF-8")).isTrue();
    assertThat(isEventStream("text/event-streams")).isFalse();
    assertThat(isEventStream("application/json")).isFalse();
    assertThat(isEventStream(null)).isFalse();
  }
}
