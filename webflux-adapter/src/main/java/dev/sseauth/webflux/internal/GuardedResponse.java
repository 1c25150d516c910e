package dev.sseauth.webflux.internal;

import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Reply;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
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
    return Mono.defer(() -> { // decided when the write starts: the status and type are final then
      if (!isStream()) {
        return super.writeWith(body);
      }
      // the application is asked for PREFETCH buffers ahead, as the server would ask it without sse-auth
      Flux<DataBuffer> buffers = Flux.<DataBuffer>from(body).limitRate(PREFETCH)
          .doOnDiscard(DataBuffer.class, DataBufferUtils::release);
      return start() ? guarded(buffers) : twice(buffers);
    });
  }

  @Override
  public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
    return Mono.defer(() -> {
      if (!isStream()) {
        return super.writeAndFlushWith(body);
      }
      // PREFETCH groups ahead, as the server would ask for without sse-auth; the buffers of a group
      // prefetched but never read (the stream ended first) are released. A group is not joined: one that
      // never ends must still stream.
      Flux<DataBuffer> buffers = Flux.from(body).map(Group::new).concatMap(Group::buffers, PREFETCH)
          .doOnDiscard(Group.class, Group::release)
          .doOnDiscard(DataBuffer.class, DataBufferUtils::release);
      return start() ? guarded(buffers) : twice(buffers);
    });
  }

  @Override
  public Mono<Void> setComplete() {
    return Mono.defer(() -> {
      if (!isStream()) {
        return super.setComplete();
      }
      return start() ? guarded(Flux.empty()) : super.setComplete(); // a second end writes nothing
    });
  }

  /** A flushed group of the application's, as this response holds it until it is read. */
  private record Group(Publisher<? extends DataBuffer> publisher) {
    Flux<DataBuffer> buffers() {
      return Flux.from(publisher);
    }

    /** Releases the buffers of a group that will not be written. */
    void release() {
      Flux.from(publisher).subscribe(DataBufferUtils::release, e -> { });
    }
  }

  /**
   * Writes the guarded body, each buffer a flushed group of its own. A group hands its buffer over only
   * when the server subscribes to it: a server asks for groups ahead (Reactor Netty 32) and drops, without
   * subscribing, the ones it has not written when the response ends; their buffers wait in the hand-off
   * and are released when the write ends.
   */
  private Mono<Void> guarded(Publisher<? extends DataBuffer> body) {
    Queue<DataBuffer> handoff = new ConcurrentLinkedQueue<>();
    Flux<Publisher<DataBuffer>> groups = Flux.from(new GuardedBody(allowed, body, bufferFactory())).map(b -> {
      handoff.add(b);
      return Mono.fromSupplier(handoff::poll); // in order: the server subscribes to one group after another
    });
    return super.writeAndFlushWith(groups).doFinally(signal -> {
      for (DataBuffer b; (b = handoff.poll()) != null; ) {
        DataBufferUtils.release(b);
      }
    });
  }

  /** A second body for a stream already started: never sent (its ids would go out as they are). */
  private static Mono<Void> twice(Publisher<? extends DataBuffer> body) {
    return Flux.from(body).doOnNext(DataBufferUtils::release)
        .then(Mono.error(new IllegalStateException("the event stream has been written already")));
  }

  /** Whether this response is an event stream that sse-auth rewrites, as its status and type say now. */
  private boolean isStream() {
    HttpStatusCode status = getStatusCode(); // known on every server (Reactor Netty's default is in it)
    return status != null && allowed.rewrites(status.value(), getHeaders().getFirst(Reply.Header.CONTENT_TYPE));
  }

  /** Starts the stream: applies the stream headers and returns true, the first time only. */
  private boolean start() {
    if (!started.compareAndSet(false, true)) {
      return false;
    }
    applyStreamHeaders();
    beforeCommit(() -> { // last: a header another commit action set must not undo these
      applyStreamHeaders();
      return Mono.empty();
    });
    return true;
  }

  private void applyStreamHeaders() {
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
  }
}
