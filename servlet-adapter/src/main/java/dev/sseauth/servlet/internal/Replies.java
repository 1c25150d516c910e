package dev.sseauth.servlet.internal;

import dev.sseauth.adapter.Reply;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Renders the core's {@link Reply} on a servlet response and awaits the core. Stateless. */
public final class Replies {
  private Replies() {}

  /** Sends {@code reply} as it is: its status, each of its headers, its body. */
  public static void send(HttpServletResponse response, Reply reply) throws IOException {
    response.setStatus(reply.status());
    Set<String> named = new HashSet<>();
    for (Reply.Header h : reply.headers()) {
      if (named.add(h.name().toLowerCase(Locale.ROOT))) {
        response.setHeader(h.name(), h.value()); // replaces whatever an earlier filter set
      } else {
        response.addHeader(h.name(), h.value());
      }
    }
    response.getOutputStream().write(reply.body());
  }

  /**
   * Waits for the core on the calling thread. The core bounds every store call by
   * {@code sseauth.store.timeout}; {@code bound} is a backstop after which {@code onFailure} is returned
   * (the caller then fails closed).
   */
  public static <T> T await(CompletionStage<? extends T> stage, Duration bound, T onFailure) {
    CompletableFuture<? extends T> f = stage.toCompletableFuture();
    try {
      return f.isDone() ? f.join() : f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return onFailure;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return onFailure;
    }
  }
}
