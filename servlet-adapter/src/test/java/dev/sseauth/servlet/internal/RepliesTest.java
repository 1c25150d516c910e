package dev.sseauth.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.Reason;
import dev.sseauth.adapter.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link Replies}: the one renderer of the core's responses, on a {@link FakeContainer}. */
class RepliesTest {

  @Test
  void sendWhenARefusalThenItsStatusEveryHeaderAndItsBodyGoOutAsTheyAre() throws Exception {
    for (Reason reason : Reason.values()) {
      FakeContainer c = new FakeContainer();
      Reply reply = reason.reply();
      Replies.send(c.response, reply);
      assertThat(c.status).as("%s", reason).isEqualTo(reply.status());
      for (Reply.Header h : reply.headers()) {
        assertThat(c.headers).as("%s", reason).containsEntry(h.name(), h.value());
      }
      assertThat(c.headerCalls).as("%s", reason).hasSize(reply.headers().size());
      assertThat(c.receivedBytes()).isEqualTo(reply.body());
    }
  }

  @Test
  void sendWhenAHeaderNameRepeatsThenTheFirstReplacesAndTheOthersAreAdded() throws Exception {
    FakeContainer c = new FakeContainer();
    Replies.send(c.response, new Reply(401, List.of(new Reply.Header("WWW-Authenticate", "Bearer"),
        new Reply.Header("www-authenticate", "Basic")), "no\n".getBytes(StandardCharsets.UTF_8)));
    assertThat(c.headerCalls).containsExactly("setHeader WWW-Authenticate: Bearer", "addHeader www-authenticate: Basic");
    assertThat(c.received()).isEqualTo("no\n");
  }

  @Test
  void awaitWhenTheCoreFailsThenTheFallbackElseItsAnswer() {
    Duration bound = Duration.ofSeconds(10);
    assertThat(Replies.await(CompletableFuture.failedFuture(new IllegalStateException()), bound, "fallback"))
        .isEqualTo("fallback");
    assertThat(Replies.await(CompletableFuture.completedFuture("answer"), bound, "fallback")).isEqualTo("answer");
    assertThat(Replies.await(CompletableFuture.supplyAsync(() -> "later"), bound, "fallback")).isEqualTo("later");
  }
}
