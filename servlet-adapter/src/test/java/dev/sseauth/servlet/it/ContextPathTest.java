package dev.sseauth.servlet.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.servlet.SseAuthFilter;
import dev.sseauth.testing.TestKeys;
import dev.sseauth.testing.fixtures.RawHttp;
import dev.sseauth.testing.fixtures.ServletContainer;
import dev.sseauth.testing.fixtures.ServletServer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Under a context path, spellings of the guarded path that the container routes to the application
 * but whose raw form does not start with the context path are still guarded (a bypass found in review).
 */
class ContextPathTest {
  private static final List<String> TRICKS = List.of("/app/events", "/%61pp/events", "/./app/events", "//app/events",
      "/x/../app/events", "/app/./events", "/app//events", "/app/ev%65nts", "/APP/events", "/app;x=1/events");

  @ParameterizedTest
  @ValueSource(strings = {"jetty", "tomcat"})
  void guardedPathWhenContextSegmentSpelledOddlyThenRefusedAndApplicationNeverRuns(String container) throws Exception {
    AtomicInteger ran = new AtomicInteger();
    HttpServlet app = new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        ran.incrementAndGet();
        res.setContentType("text/plain");
        res.getWriter().write("app ran");
      }
    };
    try (SseAuth auth = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).paths(List.of("/events")).build())) {
      ServletServer.Deployment d = new ServletServer.Deployment().contextPath("/app")
          .filter("sse-auth", new SseAuthFilter(auth)).servlet("/events", app).servlet("/open", app);
      try (ServletServer server = ServletContainer.valueOf(container.toUpperCase(Locale.ROOT)).start(d)) {
        for (String path : TRICKS) {
          String r = RawHttp.exchange(server.base(), "GET " + path + " HTTP/1.1");
          int status = RawHttp.status(r);
          assertThat(status).as(container + " " + path + ": " + r).isBetween(400, 499);
          assertThat(ran.get()).as(container + " " + path + " reached the application").isZero();
        }
        // an unguarded path of the same context still reaches the application
        assertThat(RawHttp.status(RawHttp.exchange(server.base(), "GET /app/open HTTP/1.1"))).isEqualTo(200);
        assertThat(ran.get()).isEqualTo(1);
      }
    }
  }
}
