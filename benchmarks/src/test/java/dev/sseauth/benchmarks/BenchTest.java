package dev.sseauth.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sseauth.benchmarks.load.LoadRun;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The harness's command line. */
class BenchTest {

  @Test
  void parseWhenNoArgumentsThenEveryPartOnEveryServer() {
    Bench.Options o = Bench.parse();

    assertThat(o.parts()).containsExactlyElementsOf(Bench.PARTS);
    assertThat(o.servers()).isEqualTo(LoadRun.SERVERS);
    assertThat(o.rounds()).isZero();
    assertThat(o.out()).isEqualTo(Path.of("target"));
    assertThat(o.command()).isEqualTo(Bench.COMMAND);
  }

  @Test
  void parseWhenServersThenThoseInReportOrderAndTheCommandNamesThem() {
    Bench.Options o = Bench.parse("--out", "x", "--only", "load,storm,heap", "--servers", "webflux,jetty",
        "--rounds", "3");

    assertThat(o.servers()).containsExactly("jetty", "webflux");
    assertThat(o.parts()).isEqualTo(Set.of("load", "storm", "heap"));
    assertThat(o.rounds()).isEqualTo(3);
    assertThat(o.out()).isEqualTo(Path.of("x"));
    assertThat(o.command()).isEqualTo(Bench.COMMAND + " --only load,storm,heap --servers webflux,jetty --rounds 3");
    assertThat(Bench.parse("--servers", "netty").servers()).isEqualTo(List.of("netty"));
  }

  @Test
  void parseWhenAnUnknownServerOrNoneThenAUsageErrorNamingTheOption() {
    assertThatThrownBy(() -> Bench.parse("--servers", "webflux,undertow"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--servers")
        .hasMessageContaining("'undertow'")
        .hasMessageContaining("jetty,tomcat,netty,webflux");
    assertThatThrownBy(() -> Bench.parse("--servers", "")).hasMessageContaining("--servers");
    assertThatThrownBy(() -> Bench.parse("--servers", "netty,")).hasMessageContaining("--servers");
    assertThatThrownBy(() -> Bench.parse("--servers")).hasMessage("--servers needs a value");
  }
}
