package dev.sseauth.spring.boot.autoconfigure.app;

import java.security.Principal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A WebFlux application's own SSE endpoint, written as if sse-auth did not exist: it resumes after the
 * {@code Last-Event-ID} it is given, sends two events, and ends the first stream (so the client reconnects)
 * while keeping a resumed one open. It records who it saw: as its {@code Principal} argument, as
 * {@code @AuthenticationPrincipal}, and as the security context its {@code Flux} runs in.
 */
@RestController
public class ReactiveFeedController {
  /** One line per stream: {@code principal|authenticationPrincipal|securityContextName|lastEventId}. */
  public final List<String> seen = new CopyOnWriteArrayList<>();
  /** The details of each stream's {@code Authentication}, as Spring Security holds them. */
  public final List<Object> details = new CopyOnWriteArrayList<>();
  /** The resumed streams open now, and those cancelled (the client or the server went away). */
  public final AtomicInteger open = new AtomicInteger();
  public final AtomicInteger cancelled = new AtomicInteger();

  @GetMapping("/events")
  public Flux<ServerSentEvent<String>> events(@RequestHeader(value = "Last-Event-ID", required = false) String last,
      Principal principal, @AuthenticationPrincipal Principal user) {
    int from = last == null || last.isEmpty() ? 0 : Integer.parseInt(last);
    details.add(principal instanceof Authentication a ? a.getDetails() : "none");
    Flux<ServerSentEvent<String>> two = Flux.range(from + 1, 2).map(i -> ServerSentEvent
        .builder("event " + i + " for " + principal.getName()).id(String.valueOf(i)).build());
    Flux<ServerSentEvent<String>> events = from == 0 ? two : two.concatWith(Flux.never())
        .doOnSubscribe(s -> open.incrementAndGet())
        .doOnCancel(() -> {
          open.decrementAndGet();
          cancelled.incrementAndGet();
        });
    // the security context as the application's own reactive code reads it, where the stream runs
    return ReactiveSecurityContextHolder.getContext().map(SecurityContext::getAuthentication)
        .map(Authentication::getName).defaultIfEmpty("null")
        .doOnNext(name -> seen.add(principal.getName() + "|" + (user == null ? null : user.getName()) + "|" + name
            + "|" + last))
        .thenMany(events);
  }

  /** The application's page: its CSRF token for the ticket request. */
  @GetMapping(value = "/page", produces = "text/html")
  public Mono<String> page(ServerWebExchange exchange) {
    Mono<CsrfToken> csrf = exchange.getAttribute(CsrfToken.class.getName());
    return csrf.map(t -> """
        <!doctype html><html><head><title>feed</title>
        <meta name="csrf-header" content="%s"><meta name="csrf" content="%s">
        <script src="/sse-auth.js"></script></head><body></body></html>
        """.formatted(t.getHeaderName(), t.getToken()));
  }
}
