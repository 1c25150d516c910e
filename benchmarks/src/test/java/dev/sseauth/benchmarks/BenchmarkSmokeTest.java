package dev.sseauth.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CI smoke run of the whole harness (JMH, wire sizes, loopback load, reconnect storm and held-stream
 * heap on Jetty, Tomcat, Netty and Spring WebFlux with server and client in their own JVMs, Chromium timing) with tiny
 * counts. It asserts no thresholds, only that every benchmark produced a number and that the table was
 * written, so the harness never rots.
 */
class BenchmarkSmokeTest {
  /** Every load server, as {@code LoadRun} runs them. */
  private static final List<String> SERVERS = List.of("jetty", "tomcat", "netty", "webflux");

  @Test
  void runWhenSmokeSettingsThenEveryBenchmarkProducesANumberAndTheTableIsWritten() throws Exception {
    Path out = Path.of("target", "smoke");
    Files.deleteIfExists(out.resolve("results.md"));

    Results r = Bench.run(Settings.smoke(), out, new LinkedHashSet<>(Bench.PARTS), true);

    List<String> expected = new ArrayList<>(List.of(
        "jmh.issueTicket", "jmh.redeemTicket", "jmh.baselineMapPutRemove", "jmh.mintSessionToken",
        "jmh.baselineNimbusHs256Sign", "jmh.judgeReconnect", "jmh.baselineNimbusHs256Verify",
        "jmh.baselineNimbusHs256VerifyAndClaims",
        "jmh.rewriteStream", "jmh.baselineLineEndScan",
        "wire.token", "wire.compositeId",
        "browser.u", "browser.c", "browser.r"));
    for (String server : SERVERS) {
      for (String variant : List.of("UNGUARDED", "SSEAUTH", "JWT_QUERY")) {
        for (String scenario : List.of("reconnect", "first", "events")) {
          expected.add("load." + server + "." + variant + "." + scenario);
        }
      }
      for (String variant : List.of("UNGUARDED", "SSEAUTH")) {
        expected.add("storm." + server + "." + variant);
        expected.add("heap." + server + "." + variant);
      }
    }
    for (String server : List.of("jetty", "netty")) { // the storms with and without retry jitter
      for (String jitter : List.of("0", "20")) {
        expected.add("jitter." + server + "." + jitter + ".peak");
        expected.add("jitter." + server + "." + jitter + ".recovery");
      }
    }
    for (String key : expected) {
      assertThat(r.get(key)).as(key).isNotNull();
      assertThat(r.get(key).value()).as(key).isFinite();
      if (!key.startsWith("heap.")) { // a heap difference over a few streams may be negative
        assertThat(r.get(key).value()).as(key).isPositive();
      }
    }
    for (String server : SERVERS) {
      for (String variant : List.of("UNGUARDED", "SSEAUTH")) {
        assertThat(r.get("heap." + server + "." + variant + ".streams").value()).as(server + " " + variant)
            .isEqualTo(Settings.smoke().heapStreams());
      }
    }
    assertThat(r.get("wire.compositeId").value())
        .isEqualTo(r.get("wire.token").value() + 1 + WireSize.APP_ID.length());

    String md = Files.readString(out.resolve("results.md"));
    assertThat(md).contains("| measurement | sse-auth | baseline (same run) | ratio | target | result |");
    assertThat(md.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| measurement")))
        .hasSize(Report.rows(r).size())
        .hasSize(46); // 8 per server (6 load, storm, heap), 4 the jitter storms', 10 JMH, wire and browser
    for (String server : List.of("Jetty", "Tomcat", "Netty", "WebFlux")) {
      assertThat(md).contains("| " + server + ": reconnects/s with Last-Event-ID, sse-auth |", "| " + server
          + ": first connects/s, sse-auth incl. the ticket request |", "| " + server
          + ": events/s delivered over concurrent streams, sse-auth |", "| " + server + ": reconnect storm, ",
          "| " + server + ": heap per held stream at ");
    }
    assertThat(md).contains("Load JVMs: ");
    assertThat(md).contains("Servers measured (load, storm, heap): Jetty, Tomcat, Netty, WebFlux\n");
    assertThat(r.servers()).isEqualTo(SERVERS);
    assertThat(out.resolve("jmh.json")).isNotEmptyFile();
    assertThat(out.resolve("load-raw.jsonl")).isNotEmptyFile();
    assertThat(out.resolve("storm-raw.jsonl")).isNotEmptyFile();
    assertThat(out.resolve("heap-raw.jsonl")).isNotEmptyFile();
    assertThat(out.resolve("browser.json")).isNotEmptyFile();
    assertThat(out.resolve("results.json")).isNotEmptyFile();
  }
}
