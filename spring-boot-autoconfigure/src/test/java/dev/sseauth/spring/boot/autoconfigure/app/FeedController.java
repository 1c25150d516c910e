package dev.sseauth.spring.boot.autoconfigure.app;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.security.Principal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * An application's own SSE endpoint, written as if sse-auth did not exist: it resumes after the
 * {@code Last-Event-ID} it is given, sends two events, and ends the first stream (so the client reconnects)
 * while keeping a resumed one open. It records who it saw, as {@code Principal} and as the security context.
 */
@RestController
public class FeedController {
  /** One line per stream: {@code principal|securityContextName|lastEventId}. */
  public final List<String> seen = new CopyOnWriteArrayList<>();
  /** The streams it keeps open. */
  public final List<SseEmitter> open = new CopyOnWriteArrayList<>();

  @GetMapping("/events")
  public SseEmitter events(@RequestHeader(value = "Last-Event-ID", required = false) String last, Principal principal)
      throws IOException {
    int from = last == null || last.isEmpty() ? 0 : Integer.parseInt(last);
    Authentication a = SecurityContextHolder.getContext().getAuthentication();
    seen.add(principal.getName() + "|" + (a == null ? null : a.getName()) + "|" + last);
    SseEmitter emitter = new SseEmitter(0L);
    for (int i = from + 1; i <= from + 2; i++) {
      emitter.send(SseEmitter.event().id(String.valueOf(i)).data("event " + i + " for " + principal.getName()));
    }
    if (from == 0) {
      emitter.complete();
    } else {
      open.add(emitter);
    }
    return emitter;
  }

  /** The application's page: the helper, its CSRF token for the ticket request, and a stream it reports on. */
  @GetMapping(value = "/page", produces = "text/html")
  public String page(HttpServletRequest request) {
    CsrfToken csrf = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
    return """
        <!doctype html><html><head><title>feed</title>
        <meta name="csrf-header" content="%s"><meta name="csrf" content="%s">
        <script src="/sse-auth.js"></script></head><body><script>
        const meta = n => document.querySelector('meta[name="' + n + '"]').content;
        window.seen = []; window.statuses = [];
        window.stream = SseAuth.connect('/events', {
          getHeaders: () => ({ [meta('csrf-header')]: meta('csrf') }),
          onEvent: e => window.seen.push(e.id + ':' + e.data),
          onStatus: s => window.statuses.push(s.type + (s.reason ? ':' + s.reason : '')),
        });
        window.until = n => new Promise(resolve => {
          const check = () => window.seen.length >= n || window.stream.closed
              ? resolve(JSON.stringify({ seen: window.seen, statuses: window.statuses, last: window.stream.lastEventId }))
              : setTimeout(check, 20);
          check();
        });
        </script></body></html>
        """.formatted(csrf.getHeaderName(), csrf.getToken());
  }
}
