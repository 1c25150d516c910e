package dev.sseauth.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule for "met": the whole range of a ratio clears the target. */
class ReportTest {

  private static Report.Row row(Results r, String what, String baseline) {
    return Report.rows(r).stream()
        .filter(x -> x.what().startsWith(what) && x.baseline().startsWith(baseline))
        .findFirst().orElseThrow();
  }

  @Test
  void rowsWhenMeasuredInRoundsThenTheRatioIsTheMedianOfPerRoundRatiosAndItsRangeTheirMinAndMax() {
    Results r = new Results();
    r.putRounds("load.jetty.SSEAUTH.reconnect", List.of(90.0, 100.0, 95.0, 300.0, 97.0), "1/s");
    r.putRounds("load.jetty.UNGUARDED.reconnect", List.of(100.0, 100.0, 100.0, 300.0, 100.0), "1/s");

    Report.Row row = row(r, "Jetty: reconnects/s", "unguarded");

    assertThat(row.ratio()).isCloseTo(0.97, within(1e-9)); // not 97 / 100 of the medians
    assertThat(row.low()).isCloseTo(0.90, within(1e-9));
    assertThat(row.high()).isCloseTo(1.00, within(1e-9));
    assertThat(row.met()).isTrue(); // ≥ 0.90 over the whole range
    assertThat(Report.ratioCell(row)).isEqualTo("0.97× (0.90–1.00)");
  }

  @Test
  void rowsWhenOneRoundFallsBelowTheTargetThenTheTargetIsMissedThoughTheMedianClearsIt() {
    Results r = new Results();
    r.putRounds("load.netty.SSEAUTH.events", List.of(99.0, 98.0, 94.0, 99.0, 99.0), "1/s");
    r.putRounds("load.netty.UNGUARDED.events", List.of(100.0, 100.0, 100.0, 100.0, 100.0), "1/s");

    Report.Row row = row(r, "Netty: events/s", "unguarded");

    assertThat(row.ratio()).isCloseTo(0.99, within(1e-9));
    assertThat(row.met()).isFalse(); // 0.94 < 0.95
  }

  @Test
  void rowsWhenAnAtMostTargetThenTheHighestPerRoundRatioDecides() {
    Results r = new Results();
    r.putRounds("storm.tomcat.SSEAUTH", List.of(1100.0, 1150.0, 1300.0), "ms");
    r.putRounds("storm.tomcat.UNGUARDED", List.of(1000.0, 1000.0, 1000.0), "ms");
    r.put("storm.tomcat.SSEAUTH.streams", 5000, 0, "streams");

    Report.Row row = row(r, "Tomcat: reconnect storm, 5,000 held streams", "unguarded");

    assertThat(row.ratio()).isCloseTo(1.15, within(1e-9));
    assertThat(row.high()).isCloseTo(1.30, within(1e-9));
    assertThat(row.met()).isFalse(); // 1.30 > 1.20
  }

  @Test
  void rowsWhenARoundFailedThenItIsLeftOutOfThePairs() {
    Results r = new Results();
    r.putRounds("load.tomcat.SSEAUTH.first", List.of(50.0, Double.NaN, 60.0), "1/s");
    r.putRounds("load.tomcat.UNGUARDED.first", List.of(100.0, 100.0, 100.0), "1/s");

    Report.Row row = row(r, "Tomcat: first connects/s", "unguarded");

    assertThat(row.low()).isCloseTo(0.50, within(1e-9));
    assertThat(row.high()).isCloseTo(0.60, within(1e-9));
    assertThat(row.met()).isTrue(); // ≥ 0.45
  }

  @Test
  void rowsWhenJmhIntervalsThenTheRangePairsTheIntervalEndsWorstAgainstBest() {
    Results r = new Results();
    r.put("jmh.judgeReconnect", 5.0, 0.5, "ns/op");
    r.put("jmh.baselineNimbusHs256VerifyAndClaims", 6.0, 0.3, "ns/op");

    Report.Row row = row(r, "judge a reconnect", "nimbus HS256 parse + verify + claims");

    assertThat(row.ratio()).isCloseTo(5.0 / 6.0, within(1e-9));
    assertThat(row.low()).isCloseTo(4.5 / 6.3, within(1e-9));
    assertThat(row.high()).isCloseTo(5.5 / 5.7, within(1e-9));
    assertThat(row.met()).isTrue(); // ≤ 1.00 even at 5.5 / 5.7

    r.put("jmh.judgeReconnect", 5.0, 1.0, "ns/op");
    assertThat(row(r, "judge a reconnect", "nimbus HS256 parse + verify + claims").met()).isFalse(); // 6.0 / 5.7 > 1
  }

  @Test
  void rowsWhenWireSizesThenTheyAreJudgedAgainstTheirByteBounds() {
    Results r = new Results();
    r.put("wire.token", 100, 0, "B");
    r.put("wire.compositeId", 129, 0, "B");

    assertThat(row(r, "wire token", "—").met()).isTrue();
    assertThat(row(r, "composite id", "—").met()).isFalse();
  }

  @Test
  void rowsWhenServersAreNamedThenOnlyTheirRowsAndTheTableSaysWhichWereMeasured() {
    Results r = new Results();
    for (String server : List.of("jetty", "webflux")) {
      r.putRounds("load." + server + ".SSEAUTH.reconnect", List.of(95.0), "1/s");
      r.putRounds("load." + server + ".UNGUARDED.reconnect", List.of(100.0), "1/s");
    }
    r.servers(List.of("webflux"));

    assertThat(Report.rows(r)).extracting(Report.Row::what).containsExactly(
        "WebFlux: reconnects/s with Last-Event-ID, sse-auth");
    String md = Report.markdown(r, Settings.smoke(), true, Bench.COMMAND + " --servers webflux");
    assertThat(md).contains("Servers measured (load, storm, heap): WebFlux\n").doesNotContain("Jetty:");
    assertThat(r.toJson()).contains("\"servers\":[\"webflux\"]");
  }
}
