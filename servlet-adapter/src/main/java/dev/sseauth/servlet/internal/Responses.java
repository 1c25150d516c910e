package dev.sseauth.servlet.internal;

import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Decision;
import dev.sseauth.Denied;
import dev.sseauth.Reason;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Renders core outcomes on a servlet response. Stateless. */
public final class Responses {
  /** The content type that marks an event stream. */
  public static final String EVENT_STREAM = "text/event-stream";

  private Responses() {}

  /**
   * Waits for a core outcome on the calling thread. The core bounds every store call by
   * {@code sseauth.store.timeout}; {@code bound} is a backstop after which the request is refused
   * with {@link Reason#STORE_UNAVAILABLE} (fail closed).
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

  /** A fail-closed decision. */
  public static Decision unavailable() {
    return new Denied(Reason.STORE_UNAVAILABLE);
  }

  /**
   * Sends a refusal: its status, {@code WWW-Authenticate} for a 401, {@code Cache-Control: no-store}
   * and the reason's safe message as plain text; {@code Allow} on a 405.
   */
  public static void deny(HttpServletResponse response, Denied denied) throws IOException {
    response.setStatus(denied.status());
    if (denied.wwwAuthenticate() != null) {
      response.setHeader("WWW-Authenticate", denied.wwwAuthenticate());
    }
    if (denied.allow() != null) {
      response.setHeader("Allow", denied.allow());
    }
    text(response, denied.reason().message());
  }

  /** Sends the reconnect-mode handshake and ends the response; the application does not run. */
  public static void handshakeOnly(HttpServletResponse response, Allowed allowed) throws IOException {
    response.setStatus(200);
    response.setContentType(EVENT_STREAM);
    response.setHeader("Cache-Control", "no-store");
    byte[] hs = allowed.handshake();
    response.setContentLength(hs.length);
    ServletOutputStream out = response.getOutputStream();
    out.write(hs);
    out.flush();
  }

  /** Sends {@code body} as a short JSON document that must not be cached. */
  public static void json(HttpServletResponse response, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(200);
    response.setHeader("Cache-Control", "no-store");
    response.setContentType("application/json");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  /** Sends {@code message} as plain text that must not be cached, with the status already set. */
  public static void text(HttpServletResponse response, String message) throws IOException {
    byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
    response.setHeader("Cache-Control", "no-store");
    response.setContentType("text/plain;charset=UTF-8");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  /** Whether a {@code Content-Type} value names an event stream. */
  public static boolean isEventStream(String contentType) {
    if (contentType == null) {
      return false;
    }
    String t = contentType.trim();
    int semi = t.indexOf(';');
    if (semi >= 0) {
      t = t.substring(0, semi).trim();
    }
    return t.equalsIgnoreCase(EVENT_STREAM);
  }
}
