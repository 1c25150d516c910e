package dev.sseauth.webflux;

import dev.sseauth.SessionInfo;
import dev.sseauth.SsePrincipal;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * An unchanged WebFlux SSE controller, as applications write one, that records what reaches it.
 * {@code /events} resumes after the numeric {@code Last-Event-ID}: ids {@code n+1} and {@code n+2} at once,
 * then whatever {@link #broadcast} sends, until {@link #dropStreams}; {@code /feeds/split} writes the id
 * {@code 12} split over several flushed writes; {@code /feeds/firehose} writes events as fast as it is asked
 * for; {@code /feeds/text} answers plain text; {@code /open} is not guarded.
 */
@RestController
public class EventController {
  /** What the application saw of one request. */
  public record Seen(String uri, String lastEventId, Principal principal, SessionInfo session) {}

  /** A payload of 1 KiB for the firehose. */
  static final String KIB = "x".repeat(1024);
  /** How many events the firehose can write. */
  static final int FIREHOSE = 2_000_000;

  final List<Seen> seen = new CopyOnWriteArrayList<>();
  /** How many times a stream's {@code Flux} was cancelled (by sse-auth or a client gone). */
  final AtomicInteger cancelled = new AtomicInteger();
  /** How many events the firehose produced. */
  final AtomicLong produced = new AtomicLong();
  private final Sinks.Many<ServerSentEvent<String>> broadcast = Sinks.many().multicast().directBestEffort();
  private final Sinks.Many<Boolean> drops = Sinks.many().multicast().directBestEffort();

  /** Sends {@code event} to every open {@code /events} stream. */
  void broadcast(String id, String data) {
    broadcast.tryEmitNext(ServerSentEvent.builder(data).id(id).build());
  }

  /** Ends every open {@code /events} stream, as a restart would; the clients reconnect. */
  void dropStreams() {
    drops.tryEmitNext(true);
  }

  private Mono<Principal> record(ServerWebExchange exchange, String lastEventId) {
    return exchange.getPrincipal().map(p -> {
      seen.add(new Seen(exchange.getRequest().getURI().getRawPath() + (exchange.getRequest().getURI().getRawQuery() == null
          ? "" : "?" + exchange.getRequest().getURI().getRawQuery()), lastEventId, p,
          exchange.getAttribute(SseAuthWebFilter.SESSION_ATTRIBUTE)));
      return p;
    }).switchIfEmpty(Mono.fromRunnable(() -> seen.add(new Seen(exchange.getRequest().getURI().getRawPath(), lastEventId,
        null, null))));
  }

  @GetMapping(value = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  public Flux<ServerSentEvent<String>> events(@RequestHeader(value = "Last-Event-ID", required = false) String last,
      ServerWebExchange exchange) {
    int n = last == null ? 0 : Integer.parseInt(last);
    Flux<ServerSentEvent<String>> first = Flux.just(
        ServerSentEvent.builder("e" + (n + 1)).id(String.valueOf(n + 1)).build(),
        ServerSentEvent.builder("e" + (n + 2)).id(String.valueOf(n + 2)).build());
    return record(exchange, last).thenMany(Flux.concat(first, broadcast.asFlux()))
        .takeUntilOther(drops.asFlux())
        .doOnCancel(cancelled::incrementAndGet);
  }

  @GetMapping(value = "/feeds/firehose", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  public Flux<ServerSentEvent<String>> firehose(ServerWebExchange exchange) {
    return record(exchange, null).thenMany(Flux.range(1, FIREHOSE)
        .map(i -> {
          produced.incrementAndGet();
          return ServerSentEvent.builder(KIB).id(String.valueOf(i)).build();
        }))
        .doOnCancel(cancelled::incrementAndGet);
  }

  @GetMapping("/feeds/split")
  public Mono<Void> split(ServerWebExchange exchange) {
    ServerHttpResponse res = exchange.getResponse();
    res.getHeaders().setContentType(MediaType.TEXT_EVENT_STREAM);
    String[] parts = {"i", "d", ": 1", "2\r", "\nda", "ta: sp", "lit\n", "\n"};
    return record(exchange, null).then(res.writeAndFlushWith(Flux.fromArray(parts)
        .map(p -> Mono.just(res.bufferFactory().wrap(p.getBytes(StandardCharsets.UTF_8))))));
  }

  @GetMapping(value = "/feeds/text", produces = MediaType.TEXT_PLAIN_VALUE)
  public Mono<String> text(ServerWebExchange exchange) {
    return record(exchange, null).thenReturn("id: 1\n");
  }

  /** The value of the Reactor context's {@code tenant} key, as the stream's {@code Flux} sees it. */
  @GetMapping(value = "/feeds/context", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  public Flux<ServerSentEvent<String>> context(ServerWebExchange exchange) {
    return record(exchange, null).thenMany(Flux.deferContextual(ctx -> Flux.just(
        ServerSentEvent.builder("tenant " + ctx.getOrDefault("tenant", "unknown")).id("1").build())))
        .concatWith(Flux.never());
  }

  /** One flushed group that never completes: three events, then nothing. */
  @GetMapping("/feeds/onegroup")
  public Mono<Void> oneGroup(ServerWebExchange exchange) {
    ServerHttpResponse res = exchange.getResponse();
    res.getHeaders().setContentType(MediaType.TEXT_EVENT_STREAM);
    Flux<DataBuffer> group = Flux.range(1, 3)
        .map(i -> res.bufferFactory().wrap(("id: " + i + "\ndata: g" + i + "\n\n").getBytes(StandardCharsets.UTF_8)))
        .concatWith(Flux.never());
    return record(exchange, null).then(res.writeAndFlushWith(Mono.just(group)));
  }

  @GetMapping(value = "/open", produces = MediaType.TEXT_PLAIN_VALUE)
  public Mono<String> open() {
    return Mono.just("open\n");
  }

  /** The principal the application saw first, as an {@link SsePrincipal}. */
  SsePrincipal firstPrincipal() {
    return (SsePrincipal) seen.get(0).principal();
  }
}
