package dev.sseauth.webflux;

import dev.sseauth.SseAuth;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The application's page and the helper {@code sse-auth.js} (from the core's jar), for the browser test.
 * The page logs in the way the test's resolver reads it: an {@code X-Test-User} header on the ticket request.
 */
@RestController
public class PageController {
  @GetMapping(value = "/sse-auth.js", produces = "text/javascript")
  public Mono<String> script() {
    try (InputStream in = SseAuth.class.getResourceAsStream("/META-INF/resources/sse-auth.js")) {
      return Mono.just(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @GetMapping(value = "/page", produces = "text/html")
  public Mono<String> page() {
    return Mono.just("""
        <!doctype html><html><head><title>feed</title><script src="/sse-auth.js"></script></head><body><script>
        window.seen = []; window.statuses = [];
        window.stream = SseAuth.connect('/events', {
          getHeaders: () => ({ 'X-Test-User': 'alice' }),
          onEvent: e => window.seen.push(e.id + ':' + e.data),
          onStatus: s => window.statuses.push(s.type + (s.reason ? ':' + s.reason : '')),
        });
        window.until = n => new Promise(resolve => {
          const check = () => window.seen.length >= n || window.stream.closed
              ? resolve(JSON.stringify({ seen: window.seen, statuses: window.statuses }))
              : setTimeout(check, 20);
          check();
        });
        </script></body></html>
        """);
  }
}
