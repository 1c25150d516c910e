package dev.sseauth.servlet.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A plain {@code java.net.http} SSE client that reads the stream line by line. */
public final class SseLines implements AutoCloseable {
  /** One dispatched event; {@code id} is null if the event had no id field. */
  public record Event(String event, String id, String data) {}

  static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final HttpResponse<InputStream> response;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final List<String> lines = new ArrayList<>();
  private volatile boolean ended;
  private final Thread reader;

  private SseLines(HttpResponse<InputStream> response) {
    this.response = response;
    this.reader = new Thread(this::read, "sse-lines");
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens a stream. */
  public static SseLines open(URI uri, Map<String, String> headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
    headers.forEach(b::header);
    return new SseLines(CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
  }

  /** A finite request: the whole body as text. */
  public static HttpResponse<String> send(String method, URI uri, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .method(method, HttpRequest.BodyPublishers.noBody());
    headers.forEach(b::header);
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private void read() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String event = null;
      String id = null;
      StringBuilder data = null;
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (lines) {
          lines.add(line);
        }
        if (line.isEmpty()) {
          if (event != null || id != null || data != null) {
            events.add(new Event(event == null ? "message" : event, id, data == null ? "" : data.toString()));
          }
          event = null;
          id = null;
          data = null;
          continue;
        }
        if (line.startsWith(":")) {
          continue;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
          value = value.substring(1);
        }
        switch (field) {
          case "event" -> event = value;
          case "id" -> id = value;
          case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
          default -> { }
        }
      }
    } catch (IOException e) {
      // the stream ended abruptly: same as an end for these tests
    } finally {
      ended = true;
    }
  }

  public int status() {
    return response.statusCode();
  }

  public String header(String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  /** The next event, or an assertion failure after {@code timeout}. */
  public Event next(Duration timeout) throws InterruptedException {
    Event e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (e == null) {
      throw new AssertionError("no event within " + timeout + "; lines so far: " + lines());
    }
    return e;
  }

  /** The next event if one is already there. */
  public Event poll() {
    return events.poll();
  }

  public boolean ended() {
    return ended;
  }

  public List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  @Override
  public void close() throws IOException {
    response.body().close();
  }
}
