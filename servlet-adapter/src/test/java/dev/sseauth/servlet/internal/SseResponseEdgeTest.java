package dev.sseauth.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.sseauth.IssuedTicket;
import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.StreamRequest;
import dev.sseauth.testing.Await;
import dev.sseauth.testing.TestKeys;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Edge cases found by review: a writer whose close failed, a handshake write to a client that is gone,
 * and an async event stream completed before anything started it. Each failed before its fix.
 */
class SseResponseEdgeTest {
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

  @Test
  void writerWhenCloseFailsAfterTheEndThenALaterWriteStillNeverThrows() throws Exception {
    SseResponse r = new SseResponse(c.response, allowed(), executor);
    r.setContentType("text/event-stream");
    PrintWriter w = r.getWriter();
    w.write("data: x\uD83D"); // a high surrogate waits for its other half
    w.flush();
    r.output().end(Reason.SESSION_REVOKED);
    Await.until(Duration.ofSeconds(10), "the response to end", c::ended);
    w.close(); // the encoder is flushed, the replacement write fails: PrintWriter swallows it, keeps its Writer
    assertThat(w.checkError()).isTrue();
    assertThatCode(() -> w.write("data: y\n\n")).as("PrintWriter.write must not throw").doesNotThrowAnyException();
  }

  @Test
  void writeAfterTheHandshakeWriteFailedThenAnIOExceptionNotANullPointerException() throws Exception {
    SseAuth auth = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).build());
    ExecutorService executor = SseResponse.newExecutor();
    try {
      FakeContainer c = new FakeContainer();
      String ticket = ((IssuedTicket) auth.issueTicket(SsePrincipal.of("alice")).toCompletableFuture().join()).ticket();
      Allowed allowed = (Allowed) auth.decide(StreamRequest.get("slt=" + ticket, null, null)).toCompletableFuture().join();
      jakarta.servlet.ServletOutputStream gone = new jakarta.servlet.ServletOutputStream() {
        @Override
        public void write(int b) throws java.io.IOException {
          throw new java.io.IOException("client gone");
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setWriteListener(jakarta.servlet.WriteListener l) {}
      };
      jakarta.servlet.http.HttpServletResponse raw = new jakarta.servlet.http.HttpServletResponseWrapper(c.response) {
        @Override
        public jakarta.servlet.ServletOutputStream getOutputStream() {
          return gone;
        }
      };
      SseResponse r = new SseResponse(raw, allowed, executor);
      r.setContentType("text/event-stream");
      byte[] event = "data: a\n\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.getOutputStream().write(event))
          .isInstanceOf(java.io.IOException.class); // the handshake write fails
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.getOutputStream().write(event))
          .isInstanceOf(java.io.IOException.class);
    } finally {
      executor.shutdownNow();
      auth.close();
    }
  }

  @Test
  void asyncEventStreamCompletedBeforeTheChainReturnsStillGetsTheHandshake() throws Exception {
    SseAuth auth = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).build());
    ExecutorService executor = SseResponse.newExecutor();
    try {
      FakeContainer c = new FakeContainer();
      String ticket = ((IssuedTicket) auth.issueTicket(SsePrincipal.of("alice")).toCompletableFuture().join()).ticket();
      Allowed allowed = (Allowed) auth.decide(StreamRequest.get("slt=" + ticket, null, null)).toCompletableFuture().join();
      SseResponse r = new SseResponse(c.response, allowed, executor);
      r.asyncStarted(c.async);
      r.setContentType("text/event-stream");
      r.appAsyncContext().complete(); // the app's worker thread wins the race
      r.afterChain();
      Await.until(Duration.ofSeconds(10), "the async cycle to complete", c::completed);
      assertThat(c.received()).as("handshake").startsWith("retry: ");
      assertThat(c.headers).containsEntry("Cache-Control", "no-store");
    } finally {
      executor.shutdownNow();
      auth.close();
    }
  }
}
