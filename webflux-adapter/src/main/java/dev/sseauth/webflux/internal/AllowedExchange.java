package dev.sseauth.webflux.internal;

import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Reply;
import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.Objects;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** The exchange an allowed stream request reaches the application as. */
public final class AllowedExchange {
  private AllowedExchange() {}

  /**
   * {@code exchange} as {@link Allowed} says the application sees it: the query without the ticket and
   * resume parameters, {@code Last-Event-ID} holding only the application's own previous id (absent when
   * there is none), the session's principal, the {@link dev.sseauth.SessionInfo} as attribute
   * {@code sessionAttribute}, and a response that rewrites an event stream.
   */
  public static ServerWebExchange of(ServerWebExchange exchange, Allowed allowed, String sessionAttribute) {
    ServerHttpRequest request = exchange.getRequest();
    URI uri = request.getURI();
    String query = allowed.appQuery();
    String last = allowed.appLastEventId();
    // only what changes is rebuilt: a request copy holds its own headers, URI and path for the stream's life
    ServerHttpRequest.Builder changed = null;
    if (!Objects.equals(query, uri.getRawQuery())) {
      changed = request.mutate().uri(URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath()
          + (query == null ? "" : "?" + query)));
    }
    List<String> sent = request.getHeaders().getValuesAsList(Reply.Header.LAST_EVENT_ID);
    if (!sent.equals(last == null ? List.of() : List.of(last))) { // every value, not only the first
      changed = (changed == null ? request.mutate() : changed).headers(h -> {
        if (last == null) {
          Headers.remove(h, Reply.Header.LAST_EVENT_ID);
        } else {
          h.set(Reply.Header.LAST_EVENT_ID, last);
        }
      });
    }
    ServerHttpRequest appRequest = changed == null ? request : changed.build();
    exchange.getAttributes().put(sessionAttribute, allowed.session());
    return exchange.mutate()
        .request(appRequest)
        .response(new GuardedResponse(exchange.getResponse(), allowed))
        .principal(Mono.just((Principal) allowed.principal()))
        .build();
  }
}
