package dev.sseauth.servlet.it;

import com.launchdarkly.eventsource.ConnectStrategy;
import com.launchdarkly.eventsource.ErrorStrategy;
import com.launchdarkly.eventsource.EventSource;
import com.launchdarkly.eventsource.MessageEvent;
import com.launchdarkly.eventsource.background.BackgroundEventHandler;
import com.launchdarkly.eventsource.background.BackgroundEventSource;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** LaunchDarkly's okhttp-eventsource with its background handler: it reconnects with Last-Event-ID on its own. */
public final class LdClient implements AutoCloseable {
  /** An event as the handler saw it. */
  public record Seen(String name, String id, String data) {}

  public final List<Seen> events = new CopyOnWriteArrayList<>();
  public final List<Throwable> errors = new CopyOnWriteArrayList<>();
  public final AtomicInteger opens = new AtomicInteger();
  public final AtomicInteger closes = new AtomicInteger();
  private final BackgroundEventSource source;

  public LdClient(URI uri) {
    BackgroundEventHandler handler = new BackgroundEventHandler() {
      @Override
      public void onOpen() {
        opens.incrementAndGet();
      }

      @Override
      public void onClosed() {
        closes.incrementAndGet();
      }

      @Override
      public void onMessage(String event, MessageEvent e) {
        events.add(new Seen(event, e.getLastEventId(), e.getData()));
      }

      @Override
      public void onComment(String comment) {
      }

      @Override
      public void onError(Throwable t) {
        errors.add(t);
      }
    };
    source = new BackgroundEventSource.Builder(handler,
        new EventSource.Builder(ConnectStrategy.http(uri).readTimeout(30, TimeUnit.SECONDS))
            .retryDelay(20, TimeUnit.MILLISECONDS)
            .errorStrategy(ErrorStrategy.alwaysContinue()))
        .threadBaseName("ld-client")
        .build();
    source.start();
  }

  /** The events whose name is not {@code name}. */
  public List<Seen> except(String name) {
    return events.stream().filter(e -> !e.name().equals(name)).toList();
  }

  /** The events named {@code name}. */
  public List<Seen> named(String name) {
    return events.stream().filter(e -> e.name().equals(name)).toList();
  }

  public String lastEventId() {
    return source.getEventSource().getLastEventId();
  }

  @Override
  public void close() {
    source.close();
  }
}
