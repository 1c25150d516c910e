package dev.sseauth.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.testing.MutableClock;
import dev.sseauth.testing.fixtures.MiniJson;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * End-to-end tests in real headless Chromium and Firefox, against both servers of in-process demos
 * (Jetty with the servlet adapter, Netty with the Netty adapter). Each test is one page load whose
 * script runs the scenario and reports what it saw; rotation and expiry come from advancing the
 * injected clock when the page asks, never from waiting.
 */
class BrowserScenariosTest {
  private static final Duration TOKEN_TTL = Duration.ofMinutes(20);
  private static final Duration ROTATE_AFTER = Duration.ofMinutes(10);
  private static final Duration SESSION_MAX = Duration.ofMinutes(30);
  private static final Duration PAGE_DEADLINE = Duration.ofSeconds(90);

  private static MutableClock clock;
  private static DemoServer demo;
  private static MutableClock reconnectClock;
  private static DemoServer reconnectDemo;
  private static MutableClock uiClock;
  private static DemoServer uiDemo;
  private static BrowserHarness harness;

  @BeforeAll
  static void start() throws Exception {
    clock = MutableClock.atRealTime();
    demo = settings(DemoServer.builder().clock(clock)).tickInterval(Duration.ofMillis(100)).start();
    reconnectClock = MutableClock.atRealTime();
    reconnectDemo = settings(DemoServer.builder().clock(reconnectClock)).tickInterval(Duration.ofMillis(100))
        .setting("sseauth.handshake.mode", "reconnect").start();
    uiClock = MutableClock.flowing(); // seconds tick on screen; rotation and expiry still come from advance
    uiDemo = settings(DemoServer.builder().clock(uiClock)).tickInterval(Duration.ofSeconds(1)).start();
    harness = new BrowserHarness();
  }

  private static DemoServer.Builder settings(DemoServer.Builder b) {
    return b.port(0).readEnvironment(false)
        .setting("sseauth.token.ttl", "20m")
        .setting("sseauth.token.rotate-after", "10m")
        .setting("sseauth.session.max-lifetime", "30m")
        .setting("sseauth.stream.check-interval", "50ms")
        .setting("sseauth.handshake.retry", "200ms");
  }

  @AfterAll
  static void stop() throws Exception {
    if (harness != null) {
      harness.close();
    }
    for (DemoServer d : new DemoServer[] {demo, reconnectDemo, uiDemo}) {
      if (d != null) {
        d.close();
      }
    }
  }

  static Stream<Arguments> browsersAndServers() {
    return Stream.of(Browser.values()).flatMap(b -> Stream.of(Arguments.of(b, "servlet"), Arguments.of(b, "netty")));
  }

  private static URI base(DemoServer d, String server) {
    URI u = server.equals("servlet") ? d.servletUri() : d.nettyUri();
    return URI.create("http://127.0.0.1:" + u.getPort() + "/");
  }

  private static Map<String, Object> runPage(Browser browser, URI base, String page, String name,
      Map<String, Consumer<String>> steps, AtomicReference<Browser.Handle> handle) throws Exception {
    BrowserHarness.Run run = harness.newRun(steps);
    try (Browser.Handle b = browser.open(run.url(base, page), name)) {
      if (handle != null) {
        handle.set(b);
      }
      String report = run.await(PAGE_DEADLINE, b);
      BrowserHarness.keep(name, report);
      Map<String, Object> r = MiniJson.object(report);
      assertThat(r.get("failure")).as("the page's failure (log: %s)", run.log).isNull();
      assertThat((List<?>) r.get("errors")).as("script errors").isEmpty();
      return r;
    }
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("browsersAndServers")
  void helperWhenDroppedRotatedExpiredAndLoggedOutThenResumesWithoutGapAndReportsTheClose(Browser browser, String server)
      throws Exception {
    clock.advance(Duration.ofSeconds(1)); // sessions start after any earlier run's "log out everywhere"
    Map<String, Consumer<String>> steps = Map.of(
        "drop", body -> assertThat(demo.dropStreams()).as("open streams dropped").isPositive(),
        "rotate", body -> clock.advance(ROTATE_AFTER.plusSeconds(1)),
        "expire", body -> clock.advance(SESSION_MAX));
    Map<String, Object> r = runPage(browser, base(demo, server), "test/scenario.html",
        "scenario-" + browser.name().toLowerCase() + "-" + server, steps, null);

    // the plain EventSource snippet (continue mode)
    assertSnippet(r);

    List<Map<String, Object>> events = list(r.get("events"));
    List<Map<String, Object>> statuses = list(r.get("statuses"));
    Map<String, Map<String, Object>> marks = marks(r);

    // events arrive, each with the app's own id (the token stripped), every id once, in order: no gap
    // and no repeat across two drops, a rotation and a session expiry
    assertThat(events).hasSizeGreaterThanOrEqualTo(16);
    long first = Long.parseLong((String) events.get(0).get("id"));
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).get("type")).as("event %d is an app event", i).isIn("tick", "message");
      assertThat(events.get(i).get("id")).as("event %d's id", i).isEqualTo(String.valueOf(first + i));
    }

    // the drop: the browser reconnected by itself (token in Last-Event-ID), no new ticket
    List<String> toDropped = types(statuses, 0, idx(marks, "dropped", "statuses"));
    assertThat(toDropped).containsSubsequence("ticket", "connecting", "open", "handshake", "reconnecting", "reconnected");
    assertThat(toDropped).containsOnlyOnce("ticket", "handshake").doesNotContain("refused", "rotated");

    // rotation: the token part of the id changed with no extra event; the next reconnect carried the new
    // token (the resumed stream kept it; an old, due token would have been rotated again)
    String tagBefore = (String) marks.get("dropped").get("tag");
    String rotatedTag = (String) marks.get("rotated").get("tag");
    assertThat(rotatedTag).isNotNull().isNotEqualTo(tagBefore);
    assertThat(types(statuses, idx(marks, "dropped", "statuses"), idx(marks, "rotated", "statuses")))
        .containsExactly("rotated");
    List<String> secondDrop = types(statuses, idx(marks, "rotated", "statuses"), idx(marks, "reconnectedAfterRotation", "statuses"));
    assertThat(secondDrop).contains("reconnected").doesNotContain("rotated", "ticket", "refused", "handshake");
    int rotationAt = firstIndexWithTag(events, rotatedTag);
    for (int i = rotationAt; i < idx(marks, "reconnectedAfterRotation", "events"); i++) {
      assertThat(events.get(i).get("tag")).as("event %d's token after the rotation", i).isEqualTo(rotatedTag);
    }

    // expiry: refused for good, re-ticketed, resumed after the last id (continuity checked above)
    List<String> expiry = types(statuses, idx(marks, "reconnectedAfterRotation", "statuses"), idx(marks, "expired", "statuses"));
    assertThat(expiry).containsSubsequence("refused", "ticket-requested", "ticket", "connecting", "handshake");
    assertThat(expiry).containsOnlyOnce("ticket", "handshake");
    Map<String, Object> resumedHandshake = statuses.stream().filter(s -> "handshake".equals(s.get("type"))).skip(1)
        .findFirst().orElseThrow();
    int expiredAt = ((Number) resumedHandshake.get("at")).intValue();
    assertThat(resumedHandshake.get("resumeFrom")).isEqualTo(events.get(expiredAt - 1).get("id"));
    assertThat(marks.get("expired").get("tag")).isNotEqualTo(rotatedTag);

    // log out everywhere: the stream closes and the helper says why; nothing arrives after
    assertThat(((Number) r.get("logoutStatus")).intValue()).isEqualTo(200);
    Map<String, Object> last = statuses.get(statuses.size() - 1);
    assertThat(last.get("type")).isEqualTo("closed");
    assertThat(last.get("reason")).isEqualTo("session-ended");
    assertThat(types(statuses, idx(marks, "expired", "statuses"), statuses.size()))
        .containsSubsequence("refused", "ticket-requested", "closed").doesNotContain("ticket", "handshake");
    assertThat(idx(marks, "end", "events")).isEqualTo(idx(marks, "closed", "events"));
    assertThat(((Number) r.get("ticketsRequested")).intValue()).isEqualTo(3);
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("browsersAndServers")
  void plainEventSourceAndHelperWhenReconnectHandshakeModeThenEventsArriveAndRefusalsStopTheHelper(Browser browser, String server)
      throws Exception {
    reconnectClock.advance(Duration.ofSeconds(1));
    Map<String, Object> r = runPage(browser, base(reconnectDemo, server), "test/snippet.html",
        "snippet-reconnect-" + browser.name().toLowerCase() + "-" + server, Map.of(), null);
    assertSnippet(r);
    Map<String, Object> helper = asMap(r.get("helper"));
    List<Map<String, Object>> events = list(helper.get("events"));
    long first = Long.parseLong((String) events.get(0).get("id"));
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).get("id")).isEqualTo(String.valueOf(first + i));
    }
    // reconnect mode: the handshake ends the first response, the browser reconnects with the token
    assertThat(types(list(helper.get("statuses")), 0, list(helper.get("statuses")).size()))
        .containsSubsequence("ticket", "open", "handshake", "reconnected").containsOnlyOnce("ticket");
    // refused for good every time: the helper re-tickets, then stops after maxRefusals and says why
    assertThat(strings(r.get("refusals"))).containsExactly("ticket-requested", "ticket", "connecting", "refused",
        "ticket-requested", "ticket", "connecting", "refused", "closed:too-many-refusals");
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("browsersAndServers")
  void demoPageWhenUsedLikeAPersonThenShowsEachAuthStepAndMasksTheToken(Browser browser, String server) throws Exception {
    uiClock.advance(Duration.ofSeconds(1));
    String name = browser.name().toLowerCase() + "-" + server;
    AtomicReference<Browser.Handle> handle = new AtomicReference<>();
    Map<String, Consumer<String>> steps = Map.of(
        "rotate", body -> uiClock.advance(ROTATE_AFTER.plusSeconds(1)),
        "screenshot", body -> screenshot(handle.get(), browser, "demo-" + name + ".png"),
        "screenshot-closed", body -> screenshot(handle.get(), browser, "demo-" + name + "-closed.png"));
    Map<String, Object> r = runPage(browser, base(uiDemo, server), "test/ui.html", "ui-" + name, steps, handle);

    Map<String, Object> mid = asMap(r.get("midStream"));
    assertThat(mid.get("state")).isEqualTo("open");
    assertThat((String) mid.get("server")).contains(server.equals("servlet") ? "Jetty" : "Netty");
    // the token is masked: start, length, end; the app id after the separator
    // a compact token, the default form (at most 100 characters): no dot; wire tokens use ~ for _
    assertThat((String) mid.get("rawId")).matches("[A-Za-z0-9~-]{4}\u2026\\(\\d{2} chars\\)\u2026[A-Za-z0-9~-]{4}_\\d+");
    assertThat((String) mid.get("rawId")).endsWith("_" + mid.get("appId"));
    List<String> ids = strings(mid.get("events"));
    for (int i = 1; i < ids.size(); i++) {
      assertThat(Long.parseLong(ids.get(i))).as("the list, newest first, has no gap").isEqualTo(Long.parseLong(ids.get(i - 1)) - 1);
    }
    assertThat(strings(mid.get("markers"))).anyMatch(m -> m.startsWith("reconnected, resumed after id "));
    assertThat(strings(mid.get("timeline"))).contains("Logged in to the app as alice", "Asking for a ticket", "Ticket fetched",
        "Opening the EventSource", "Handshake: session token received", "Connection lost", "Reconnected with the token",
        "Token rotated");
    Map<String, Object> closed = asMap(r.get("closed"));
    assertThat(closed.get("state")).isEqualTo("closed");
    assertThat(strings(closed.get("timeline"))).contains("Logging out everywhere", "Stream refused (1/3)", "Stream closed");
    assertThat((String) closed.get("who")).contains("Log in again");
    assertThat(closed.get("connectDisabled")).isEqualTo(true);
    if (browser == Browser.CHROMIUM) {
      assertPicture(Path.of("target", "screenshots", "demo-" + name + ".png"));
    }
  }

  private static void screenshot(Browser.Handle b, Browser browser, String file) {
    if (browser != Browser.CHROMIUM) {
      return; // the DevTools protocol is Chromium's; Firefox is checked through the DOM
    }
    try {
      byte[] png = b.screenshot("ui.html");
      Path dir = Path.of("target", "screenshots");
      Files.createDirectories(dir);
      Files.write(dir.resolve(file), png);
    } catch (Exception e) {
      throw new AssertionError("screenshot failed: " + e, e);
    }
  }

  private static void assertPicture(Path png) throws Exception {
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(png)));
    assertThat(img.getWidth()).isGreaterThanOrEqualTo(1000);
    Set<Integer> colours = new HashSet<>();
    for (int x = 0; x < img.getWidth(); x += 7) {
      for (int y = 0; y < img.getHeight(); y += 7) {
        colours.add(img.getRGB(x, y));
      }
    }
    assertThat(colours).as("a rendered page, not a blank one").hasSizeGreaterThan(20);
  }

  private static void assertSnippet(Map<String, Object> r) {
    Map<String, Object> snippet = asMap(r.get("snippet"));
    List<Map<String, Object>> events = list(snippet.get("events"));
    assertThat(events).hasSizeGreaterThanOrEqualTo(3);
    long first = Long.parseLong((String) events.get(0).get("appId"));
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).get("appId")).isEqualTo(String.valueOf(first + i));
      assertThat(events.get(i).get("hasToken")).as("the browser's id carries the token").isEqualTo(true);
      assertThat(events.get(i).get("type")).isEqualTo("tick");
    }
  }

  private static Map<String, Map<String, Object>> marks(Map<String, Object> r) {
    Map<String, Object> m = asMap(r.get("marks"));
    Map<String, Map<String, Object>> out = new java.util.LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, asMap(v)));
    return out;
  }

  private static int idx(Map<String, Map<String, Object>> marks, String mark, String field) {
    return ((Number) marks.get(mark).get(field)).intValue();
  }

  private static int firstIndexWithTag(List<Map<String, Object>> events, String tag) {
    for (int i = 0; i < events.size(); i++) {
      if (tag.equals(events.get(i).get("tag"))) {
        return i;
      }
    }
    throw new AssertionError("no event carried token " + tag);
  }

  private static List<String> types(List<Map<String, Object>> statuses, int from, int to) {
    return statuses.subList(from, to).stream().map(s -> (String) s.get("type")).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object o) {
    assertThat(o).isInstanceOf(List.class);
    return (List<Map<String, Object>>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object o) {
    assertThat(o).isInstanceOf(List.class);
    return (List<String>) o;
  }
}
