package dev.sseauth.webflux.internal;

import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Reply;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The response of an allowed stream request. When the application starts writing a response that
 * {@link Allowed#rewrites} (a 200 event stream), it applies the stream headers and sends a
 * {@link GuardedBody} instead of the application's body, each buffer flushed (an event is one buffer: the
 * buffers of one flushed group, as Spring's event writer makes them, are joined). Any other response
 * passes untouched.
 */
final class GuardedResponse extends ServerHttpResponseDecorator {
  /** How many buffers, or flushed groups, the application's body is asked for ahead of the client. */
  private static final int PREFETCH = 32;

  private final Allowed allowed;
  private final AtomicBoolean started = new AtomicBoolean();

  GuardedResponse(ServerHttpResponse delegate, Allowed allowed) {
    super(delegate);
    this.allowed = allowed;
  }

  @Override
  public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
    if (!isStream()) {
      return super.writeWith(body);
    }
    // the application is asked for PREFETCH buffers ahead, as the server would ask it without sse-auth
    Flux<DataBuffer> buffers = Flux.<DataBuffer>from(body).limitRate(PREFETCH).doOnDiscard(DataBuffer.class, DataBufferUtils::release);
    return start() ? guarded(buffers) : twice(buffers);
  }

  @Override
  public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
    if (!isStream()) {
      return super.writeAndFlushWith(body);
    }
    // PREFETCH groups ahead, as the server would ask for without sse-auth; a group prefetched but never
    // read (the stream ended first) is drained here, releasing its buffers
    Flux<DataBuffer> events = Flux.from(body).concatMap(DataBufferUtils::join, PREFETCH)
        .doOnDiscard(DataBuffer.class, DataBufferUtils::release)
        .doOnDiscard(Publisher.class, GuardedResponse::release);
    return start() ? guarded(events) : twice(events);
  }

  @Override
  public Mono<Void> setComplete() {
    if (!isStream()) {
      return super.setComplete();
    }
    return start() ? guarded(Flux.empty()) : super.setComplete();
  }

  private Mono<Void> guarded(Publisher<? extends DataBuffer> body) {
    return super.writeAndFlushWith(Flux.from(new GuardedBody(allowed, body, bufferFactory())).map(Mono::just));
  }

  /** Releases the buffers of a group that will not be written. */
  private static void release(Publisher<?> group) {
    Flux.from(group).subscribe(b -> {
      if (b instanceof DataBuffer buffer) {
        DataBufferUtils.release(buffer);
      }
    }, e -> { });
  }

  /** A second body for a stream already started: never sent (its ids would go out as they are). */
  private static Mono<Void> twice(Publisher<? extends DataBuffer> body) {
    return Flux.from(body).doOnNext(DataBufferUtils::release)
        .then(Mono.error(new IllegalStateException("the event stream has been written already")));
  }

  /** Whether this response is an event stream that sse-auth rewrites, as its status and type say now. */
  private boolean isStream() {
    HttpStatusCode status = getStatusCode();
    return allowed.rewrites(status == null ? 200 : status.value(), getHeaders().getFirst(HttpHeaders.CONTENT_TYPE));
  }

  /** Starts the stream: applies the stream headers and returns true, the first time only. */
  private boolean start() {
    if (!started.compareAndSet(false, true)) {
      return false;
    }
    HttpHeaders headers = getHeaders();
    for (Reply.Header h : allowed.streamHeaders(false)) {
      if (h.value() == null) {
        Headers.remove(headers, h.name());
      } else {
        headers.set(h.name(), h.value());
      }
    }
    for (Reply.Header h : allowed.streamHeaderDefaults()) {
      if (headers.getFirst(h.name()) == null) {
        headers.set(h.name(), h.value());
      }
    }
    return true;
  }
}
