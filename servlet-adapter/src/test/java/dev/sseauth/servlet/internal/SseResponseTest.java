package dev.sseauth.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sseauth.IssuedTicket;
import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.StreamRequest;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.TestKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link SseResponse}, what the application writes to, on a {@link FakeContainer}: which responses become
 * guarded streams, the headers the container sees, and the text the writer encodes.
 */
class SseResponseTest {
  static final Pattern HANDSHAKE = Pattern.compile("\\Aretry: \\d+\nevent: auth\nid: (\\S+)_\ndata: \\{\"session\":\"valid\"}\n\n");

  SseAuth auth;
  ExecutorService executor;
  FakeContainer c;

  @BeforeEach
  void start() {
    auth = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).build());
    executor = SseResponse.newExecutor();
    c = new FakeContainer();
  }

  @AfterEach
  void stop() {
    executor.shutdownNow();
    auth.close();
  }

  Allowed allowed() {
    String ticket = ((IssuedTicket) auth.issueTicket(SsePrincipal.of("alice")).toCompletableFuture().join()).ticket();
    return (Allowed) auth.decide(StreamRequest.get("slt=" + ticket, null, null)).toCompletableFuture().join();
  }

  /** A response as the filter makes it, on the request thread (this one). */
  SseResponse response() {
    return new SseResponse(c.response, allowed(), executor);
  }

  /** The handshake's token; fails if the body does not start with the handshake. */
  static String token(String body) {
    Matcher m = HANDSHAKE.matcher(body);
    assertThat(m.lookingAt()).as(body).isTrue();
    return m.group(1);
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  // ---- which responses are rewritten ----

  @Test
  void modeWhenA200EventStreamThenTheHandshakeGoesFirstAndEveryIdIsRewritten() throws Exception {
    SseResponse r = response();
    r.setContentType("text/event-stream");
    r.getOutputStream().write(ascii("id: 1\ndata: a\n\n"));
    r.afterChain();
    String body = c.received();
    String token = token(body);
    assertThat(body).endsWith("id: " + token + "_1\ndata: a\n\n");
    assertThat(c.headers).containsEntry("Cache-Control", "no-store").doesNotContainKey("Content-Length");
    // a synchronous stream is over when the chain returns; the container finishes the response
    assertThatThrownBy(() -> r.getOutputStream().write(ascii("data: b\n\n"))).isInstanceOf(IOException.class);
    assertThat(c.ended()).isFalse();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(value = {"204, text/event-stream", "500, text/event-stream", "200, application/json",
      "200, text/event-streams", "200, NONE"})
  void modeWhenNotA200EventStreamThenPassesUntouchedWithItsLength(int status, String type) throws Exception {
    SseResponse r = response();
    r.setStatus(status);
    r.setContentType(type.equals("NONE") ? null : type);
    byte[] body = ascii("id: 7\ndata: x\n\n");
    r.setContentLength(body.length);
    r.setHeader("X-App", "kept");
    r.getOutputStream().write(body);
    r.afterChain();
    assertThat(c.receivedBytes()).isEqualTo(body); // no handshake, no rewriting
    assertThat(c.headers).containsEntry("Content-Length", String.valueOf(body.length))
        .containsEntry("X-App", "kept").doesNotContainKeys("Cache-Control", "Connection");
    assertThat(c.status).isEqualTo(status);
  }

  @Test
  void modeWhenNothingIsWrittenAndNotAnEventStreamThenTheLengthIsStillRestoredAtTheEnd() throws Exception {
    SseResponse r = response();
    r.setStatus(204);
    r.setContentType("text/event-stream");
    r.setContentLength(0);
    r.afterChain();
    assertThat(c.received()).isEmpty();
    assertThat(c.headers).containsEntry("Content-Length", "0");
  }

  @Test
  void modeWhenAnEventStreamWritesNothingThenTheHandshakeStillGoesOut() throws Exception {
    SseResponse r = response();
    r.setContentType("text/event-stream");
    r.afterChain();
    token(c.received());
    assertThat(c.received()).matches(HANDSHAKE.pattern().substring(2));
  }

  /** The handshake leaves with the application's first bytes, at the application's flush: not in a flush of its own. */
  @Test
  void streamWhenTheAppWritesItsFirstEventThenTheHandshakeLeavesWithItInTheAppsOneFlush() throws Exception {
    SseResponse r = response();
    r.setContentType("text/event-stream");
    r.getOutputStream().write(ascii("id: 1\ndata: a\n\n"));
    assertThat(c.flushedAt).isEmpty();
    r.getOutputStream().flush();
    String body = c.received();
    String token = token(body);
    assertThat(body).endsWith("id: " + token + "_1\ndata: a\n\n");
    assertThat(c.flushedAt).containsExactly(body.length());
    r.afterChain();
  }

  // ---- the headers the container sees ----

  @Test
  void headersWhenTheLengthIsSetBeforeTheModeIsKnownThenTheContainerNeverSeesItOnAStream() throws Exception {
    SseResponse r = response();
    r.setContentType("text/event-stream");
    r.setContentLength(12345);
    r.setHeader("content-length", "99");
    r.setHeader("X-App", "now");
    assertThat(c.headers).containsEntry("X-App", "now").doesNotContainKey("Content-Length"); // held
    r.getOutputStream().write(ascii("data: a\n\n"));
    assertThat(c.headers).doesNotContainKey("Content-Length").containsEntry("Cache-Control", "no-store")
        .containsEntry("Connection", "close"); // synchronous, and no container hook to close the connection
    r.setContentLengthLong(5); // too late: the core's removal holds
    r.addIntHeader("Content-Length", 6);
    assertThat(c.headers).doesNotContainKey("Content-Length");
    r.afterChain();
  }

  @Test
  void headersWhenTheStreamStartsOffTheRequestThreadOfAnAsyncResponseThenTheConnectionStaysOpen()
      throws Exception {
    SseResponse r = response();
    r.asyncStarted(c.async);
    r.setContentType("text/event-stream");
    r.afterChain(); // the servlet returned having declared an event stream: it starts now
    assertThat(c.headers).containsEntry("Cache-Control", "no-store").doesNotContainKey("Connection");
    token(c.received());
    CompletableFuture.runAsync(() -> {
      try {
        r.getOutputStream().write(ascii("data: later\n\n"));
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }).get();
    assertThat(c.received()).endsWith("data: later\n\n");
    r.appAsyncContext().complete();
    Await.until(Duration.ofSeconds(10), "the async cycle to complete", c::completed);
    assertThat(c.violations).isEmpty();
  }

  @Test
  void resetWhenTheStreamHasStartedThenRefusedElseTheHeldLengthIsForgotten() throws Exception {
    SseResponse r = response();
    r.setContentType("application/json");
    r.setContentLength(3);
    r.reset();
    r.setContentType("text/plain");
    r.getOutputStream().write(ascii("abcd"));
    assertThat(c.headers).doesNotContainKey("Content-Length");

    c = new FakeContainer();
    SseResponse s = response();
    s.getOutputStream().write(ascii("data: a\n\n"));
    assertThatThrownBy(s::reset).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void outputWhenTheWriterIsTakenThenTheStreamIsRefusedAndTheOtherWayRound() throws Exception {
    SseResponse r = response();
    r.getWriter();
    assertThatThrownBy(r::getOutputStream).isInstanceOf(IllegalStateException.class);
    c = new FakeContainer();
    SseResponse s = response();
    s.getOutputStream();
    assertThatThrownBy(s::getWriter).isInstanceOf(IllegalStateException.class);
  }

  // ---- the writer ----

  @Test
  void writerWhenASurrogatePairIsSplitAcrossWritesAndFlushesThenItArrivesWhole() throws Exception {
    SseResponse r = response();
    r.setContentType("text/event-stream");
    PrintWriter w = r.getWriter();
    w.write("id: \u00e9\uD83D");
    w.flush();
    w.write("\uDE00\ndata: a\uD83D");
    w.write("\uDE01");
    w.flush();
    w.write("b\n\n");
    w.flush();
    assertThat(w.checkError()).isFalse();
    String body = c.received();
    assertThat(body).endsWith("id: " + token(body) + "_\u00e9\uD83D\uDE00\ndata: a\uD83D\uDE01b\n\n");
    assertThat(body).doesNotContain("?");
  }

  @Test
  void writerWhenAHighSurrogateIsLeftAtCloseThenItIsReplacedAndTheStreamEnds() throws Exception {
    SseResponse r = response();
    r.setContentType("text/event-stream");
    PrintWriter w = r.getWriter();
    w.write("data: x\uD83D");
    w.flush();
    assertThat(c.received()).endsWith("data: x"); // the half waits for its other half
    w.close();
    assertThat(c.received()).endsWith("data: x?");
    assertThat(c.closed()).isTrue();
    assertThat(c.violations).isEmpty();
  }

  @Test
  void writerWhenTheResponseNamesAnotherCharsetThenItEncodesWithIt() throws Exception {
    SseResponse r = response();
    r.setContentType("text/event-stream;charset=ISO-8859-1");
    PrintWriter w = r.getWriter();
    w.write("data: caf\u00e9 \uD83D");
    w.write("\uDE00\n\n"); // not in ISO-8859-1: one replacement for the whole pair
    w.flush();
    byte[] bytes = c.receivedBytes();
    byte[] tail = "data: caf\u00e9 ?\n\n".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(Arrays.copyOfRange(bytes, bytes.length - tail.length, bytes.length)).isEqualTo(tail);
  }

  @Test
  void writerWhenTheCharsetHasAByteOrderMarkThenItIsWrittenOnceForTheWholeResponse() throws Exception {
    SseResponse r = response();
    r.setContentType("text/event-stream;charset=UTF-16");
    PrintWriter w = r.getWriter();
    w.write(":a");
    w.flush();
    w.write(":b\n\n");
    w.flush();
    byte[] bytes = c.receivedBytes();
    String handshake = HANDSHAKE.matcher(c.received()).results().findFirst().orElseThrow().group();
    byte[] app = Arrays.copyOfRange(bytes, handshake.length(), bytes.length);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes(":a:b\n\n".getBytes(Charset.forName("UTF-16"))); // one BOM, then the text
    assertThat(app).isEqualTo(expected.toByteArray());
  }

  @Test
  void writerWhenTheCharsetIsStatefulThenOneEncoderSpansTheWritesAndCloseEndsItsInput() throws Exception {
    Charset jis = Charset.forName("ISO-2022-JP");
    SseResponse r = response();
    r.setContentType("text/event-stream;charset=ISO-2022-JP");
    PrintWriter w = r.getWriter();
    w.write(":\u65e5");
    w.flush();
    w.write("\u672c");
    w.close(); // switches back to ASCII
    byte[] bytes = c.receivedBytes();
    int handshake = HANDSHAKE.matcher(c.received()).results().findFirst().orElseThrow().group().length();
    assertThat(Arrays.copyOfRange(bytes, handshake, bytes.length)).isEqualTo(":\u65e5\u672c".getBytes(jis));
    assertThat(c.closed()).isTrue();
  }

  @Test
  void writerWhenNotAnEventStreamThenTheContainersWriterIsUsed() throws Exception {
    SseResponse r = response();
    r.setContentType("text/plain;charset=UTF-8");
    PrintWriter w = r.getWriter();
    w.write("caf\u00e9 \uD83D");
    w.write("\uDE00");
    w.flush();
    assertThat(c.received()).isEqualTo("caf\u00e9 \uD83D\uDE00");
  }

  // ---- the end ----

  @Test
  void writeWhenTheCoreHasEndedTheStreamThenRefusedAndNothingMoreReachesTheClient() throws Exception {
    SseResponse r = response();
    r.setContentType("text/event-stream");
    r.getOutputStream().write(ascii("data: 1\n\n"));
    r.output().end(Reason.SESSION_REVOKED);
    Await.until(Duration.ofSeconds(10), "the response to end", c::ended);
    String before = c.received();
    assertThatThrownBy(() -> r.getOutputStream().write(ascii("data: 2\n\n"))).isInstanceOf(IOException.class)
        .hasMessageContaining(Reason.SESSION_REVOKED.message());
    assertThatThrownBy(() -> r.getOutputStream().flush()).isInstanceOf(IOException.class);
    r.afterChain();
    assertThat(c.received()).isEqualTo(before);
    assertThat(c.violations).isEmpty();
  }

  @Test
  void writerWhenTheCoreHasEndedTheStreamThenItsErrorIsSetAndNothingMoreReachesTheClient() throws Exception {
    SseResponse r = response();
    r.setContentType("text/event-stream");
    PrintWriter w = r.getWriter();
    w.write("data: 1\n\n");
    w.flush();
    r.output().end(Reason.SESSION_EXPIRED);
    Await.until(Duration.ofSeconds(10), "the response to end", c::ended);
    String before = c.received();
    w.write("data: 2\n\n");
    w.flush();
    assertThat(w.checkError()).isTrue();
    assertThat(c.received()).isEqualTo(before);
    assertThat(c.violations).isEmpty();
  }
}
