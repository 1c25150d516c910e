package dev.sseauth.webflux.internal;

import dev.sseauth.adapter.Reply;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;

/** Sends a core {@link Reply} as the whole response. */
public final class Replies {
  private Replies() {}

  /**
   * Sends {@code reply}: its status, every one of its headers (in place of any set already: an earlier
   * filter's {@code Content-Type} or {@code Cache-Control} must not mix into the core's answer) and its body.
   */
  public static Mono<Void> send(ServerHttpResponse response, Reply reply) {
    response.setStatusCode(HttpStatusCode.valueOf(reply.status()));
    HttpHeaders headers = response.getHeaders();
    Set<String> seen = new HashSet<>();
    for (Reply.Header h : reply.headers()) {
      if (h.value() == null) {
        continue;
      }
      if (seen.add(h.name().toLowerCase(Locale.ROOT))) {
        headers.set(h.name(), h.value());
      } else {
        headers.add(h.name(), h.value());
      }
    }
    byte[] body = reply.body();
    return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body)));
  }
}
