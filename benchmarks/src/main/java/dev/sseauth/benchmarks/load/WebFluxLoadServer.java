package dev.sseauth.benchmarks.load;

import dev.sseauth.SseAuth;
import dev.sseauth.webflux.SseAuthWebFilter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.config.EnableWebFlux;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Spring WebFlux on Reactor Netty serving the load endpoint in one {@link Variant} (see {@link LoadServer}
 * for the endpoints), built as a Spring Boot WebFlux application is: an application context with
 * {@code @EnableWebFlux} and annotated controllers, {@link WebHttpHandlerBuilder#applicationContext} (the
 * {@code DispatcherHandler} behind the context's {@code WebFilter}s, here the variant's guard), a
 * {@link ReactorHttpHandlerAdapter} on a Reactor Netty {@link HttpServer} at its defaults (native
 * transport when the platform has one, as in a Boot application) but an accept queue of 4,096, as the
 * other servers. {@code /events} is a controller method returning {@code Flux<ServerSentEvent<String>>},
 * as WebFlux applications write event streams: Spring's event writer encodes each event and flushes it.
 * sse-auth's ticket endpoint is served by {@link SseAuthWebFilter} itself.
 */
final class WebFluxLoadServer implements AutoCloseable {
  /** How long the server may take to bind or to stop. */
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private final AtomicInteger held = new AtomicInteger();
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final SseAuth auth;
  private final AnnotationConfigApplicationContext context;
  private final DisposableServer server;

  /** The WebFlux configuration: Spring's defaults ({@code DispatcherHandler}, codecs, annotated controllers). */
  @Configuration(proxyBeanMethods = false)
  @EnableWebFlux
  static class Config {}

  WebFluxLoadServer(Variant variant) {
    auth = variant == Variant.SSEAUTH ? LoadServer.sseAuth() : null;
    context = new AnnotationConfigApplicationContext();
    context.register(Config.class);
    context.registerBean(EventsController.class, () -> new EventsController(held));
    context.registerBean(AdminController.class, () -> new AdminController(this));
    switch (variant) { // as WebFilter beans, which WebHttpHandlerBuilder puts in front of the DispatcherHandler
      case SSEAUTH -> context.registerBean(SseAuthWebFilter.class, () -> new SseAuthWebFilter(auth));
      case JWT_QUERY -> context.registerBean(JwtQueryWebFilter.class, JwtQueryWebFilter::new);
      case UNGUARDED -> { }
    }
    context.refresh();
    HttpHandler handler = WebHttpHandlerBuilder.applicationContext(context).build();
    server = HttpServer.create()
        .host("127.0.0.1")
        .port(0)
        .option(ChannelOption.SO_BACKLOG, 4096)
        .doOnChannelInit((observer, channel, remote) -> connections.add(channel)) // removed again when it closes
        .handle(new ReactorHttpHandlerAdapter(handler))
        .bindNow(TIMEOUT);
  }

  int port() {
    return server.port();
  }

  /** {@code /admin/cut}: closes every connection open now but the one from {@code keepRemotePort}. */
  int cutAllBut(int keepRemotePort) {
    int closed = 0;
    for (Channel c : new ArrayList<>(connections)) { // those open now, not those opened meanwhile
      if (c.remoteAddress() instanceof InetSocketAddress a && a.getPort() == keepRemotePort) {
        continue;
      }
      c.close();
      closed++;
    }
    return closed;
  }

  @Override
  public void close() {
    server.disposeNow(TIMEOUT);
    context.close();
    if (auth != null) {
      auth.close();
    }
  }

  /**
   * The application: N events, each flushed by Spring's event writer, then the response ends (or, with
   * {@code hold=1}, stays open after the application's own {@code retry:}). The events carry the same id
   * and data as the other servers' ({@link Wire#event}); Spring writes the fields without the optional
   * space after the colon ({@code id:100000}, {@code data:evt-...}), so the data is padded by the two
   * bytes saved to keep each event at {@link Wire#EVENT_BYTES} on the wire.
   */
  @RestController
  static final class EventsController {
    private static final int DISTINCT = 1024;
    private static final List<ServerSentEvent<String>> EVENTS = new ArrayList<>(DISTINCT);

    static {
      for (int i = 0; i < DISTINCT; i++) {
        String w = new String(Wire.event(i), StandardCharsets.US_ASCII); // "id: <id>\ndata: <data>\n\n"
        String id = w.substring("id: ".length(), w.indexOf('\n'));
        StringBuilder data = new StringBuilder(w.substring(w.indexOf("\ndata: ") + "\ndata: ".length(), w.length() - 2));
        int encoded = "id:".length() + id.length() + 1 + "data:".length() + data.length() + 2;
        while (encoded++ < Wire.EVENT_BYTES) {
          data.append((char) ('a' + data.length() % 26));
        }
        EVENTS.add(ServerSentEvent.builder(data.toString()).id(id).build());
      }
    }

    /** The application's {@code retry:} opening a held stream ({@link LoadServer#retryEvent()}), or nothing. */
    private static final Flux<ServerSentEvent<String>> RETRY = LoadServer.retryEvent().length > 0
        ? Flux.just(ServerSentEvent.<String>builder().retry(Duration.ofMillis(LoadServer.RETRY_MS)).build())
        : Flux.empty();

    private final AtomicInteger held;

    EventsController(AtomicInteger held) {
      this.held = held;
    }

    /** The {@code i}-th application event (shared, immutable). */
    static ServerSentEvent<String> event(int i) {
      return EVENTS.get(i & (DISTINCT - 1));
    }

    @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<String>> events(@RequestParam(name = "n", defaultValue = "1") int n,
        @RequestParam(name = "hold", required = false) String hold, ServerHttpResponse response) {
      response.getHeaders().setCacheControl("no-cache"); // as the other servers' applications
      Flux<ServerSentEvent<String>> events = Flux.range(0, Math.max(0, n)).map(EventsController::event);
      if (!"1".equals(hold)) {
        return events;
      }
      // held until the connection ends: the server cancels the body, which counts the stream down
      return Flux.concat(RETRY, events, Flux.<ServerSentEvent<String>>never())
          .doOnSubscribe(s -> held.incrementAndGet())
          .doFinally(signal -> held.decrementAndGet());
    }
  }

  /** {@code /admin/heap} (off the event loop: it runs full GCs), {@code /admin/count} and {@code /admin/cut}. */
  @RestController
  static final class AdminController {
    private final WebFluxLoadServer server;

    AdminController(WebFluxLoadServer server) {
      this.server = server;
    }

    @GetMapping(path = "/admin/heap", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<String> heap() {
      int h = server.held.get();
      return Mono.fromCallable(() -> LoadServer.heapJson(h, server.auth)).subscribeOn(Schedulers.boundedElastic());
    }

    @GetMapping(path = "/admin/count", produces = MediaType.APPLICATION_JSON_VALUE)
    String count() {
      return LoadServer.countJson(server.held.get(), server.auth);
    }

    @GetMapping(path = "/admin/cut", produces = MediaType.APPLICATION_JSON_VALUE)
    String cut(ServerHttpRequest request) {
      InetSocketAddress remote = request.getRemoteAddress();
      return LoadServer.cutJson(server.cutAllBut(remote == null ? -1 : remote.getPort()));
    }
  }

  /** The common alternative: a {@code WebFilter} verifying {@code ?access_token=<JWT>} on {@code /events}. */
  static final class JwtQueryWebFilter implements WebFilter {
    private final Wire.QueryJwtVerifier verifier = new Wire.QueryJwtVerifier();

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
      ServerHttpRequest request = exchange.getRequest();
      if ("/events".equals(request.getPath().pathWithinApplication().value())
          && verifier.subject(request.getURI().getRawQuery()) == null) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.UNAUTHORIZED);
        response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        response.getHeaders().set(HttpHeaders.CACHE_CONTROL, "no-store");
        return response.setComplete();
      }
      return chain.filter(exchange);
    }
  }
}
