package dev.sseauth.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.demo.DemoMain.Command;
import dev.sseauth.demo.DemoMain.Help;
import dev.sseauth.demo.DemoMain.Refused;
import dev.sseauth.demo.DemoMain.Run;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The demo's command line: {@code --help} answers with the usage and starts nothing; an unknown option,
 * a missing value or a bad one is refused with one line naming it; good options become a {@link Run}.
 */
class DemoMainTest {

  private static Command parse(String... args) {
    return DemoMain.parse(args, Map.of());
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h"})
  void parseWhenHelpAskedThenHelp(String flag) {
    assertThat(parse(flag)).isInstanceOf(Help.class);
    assertThat(parse("--port", "9000", flag)).isInstanceOf(Help.class);
    assertThat(parse("--nope", flag)).as("help wins over a bad option").isInstanceOf(Help.class);
  }

  @Test
  void usageWhenPrintedThenNamesEveryOptionWithWhatItDoes() {
    assertThat(DemoMain.USAGE)
        .contains("--port N", "--port=N", "Netty on N + 1", "PORT", "0 to 65534")
        .contains("--host ADDRESS", "--host=ADDRESS", "default 127.0.0.1")
        .contains("-h, --help", "print this help and exit")
        .contains("-Dsseauth.token.ttl=5m", "before -jar", "SSEAUTH_TOKEN_TTL=5m")
        .contains("exit status");
  }

  @Test
  void parseWhenNoOptionsThenDefaultsOrEnvironmentPort() {
    assertThat(parse()).isEqualTo(new Run("127.0.0.1", 8080));
    assertThat(DemoMain.parse(new String[0], Map.of("PORT", "7000"))).isEqualTo(new Run("127.0.0.1", 7000));
    assertThat(DemoMain.parse(new String[0], Map.of("PORT", " "))).isEqualTo(new Run("127.0.0.1", 8080));
  }

  @Test
  void parseWhenOptionsGivenThenRunWithThem() {
    assertThat(parse("--port", "9000", "--host", "0.0.0.0")).isEqualTo(new Run("0.0.0.0", 9000));
    assertThat(parse("--host=::1", "--port=0")).isEqualTo(new Run("::1", 0));
    assertThat(DemoMain.parse(new String[] {"--port", "9001"}, Map.of("PORT", "7000")))
        .as("the option wins over PORT").isEqualTo(new Run("127.0.0.1", 9001));
    assertThat(parse("--port", "9000", "--port", "9100")).as("the last one wins").isEqualTo(new Run("127.0.0.1", 9100));
  }

  @Test
  void parseWhenUnknownOptionThenRefusedNamingItWithoutItsValue() {
    assertThat(message(parse("--prot", "9000"))).isEqualTo("unknown option --prot (see --help)");
    assertThat(message(parse("-x"))).isEqualTo("unknown option -x (see --help)");
    assertThat(message(parse("--secret=hunter2"))).isEqualTo("unknown option --secret (see --help)");
  }

  @Test
  void parseWhenValueMissingOrBadThenRefusedNamingTheOption() {
    assertThat(message(parse("--port"))).contains("--port").endsWith("(see --help)");
    assertThat(message(parse("--port", "http"))).contains("--port", "'http'", "0 to 65534").endsWith("(see --help)");
    assertThat(message(parse("--port=65535"))).contains("--port", "'65535'").endsWith("(see --help)");
    assertThat(message(DemoMain.parse(new String[0], Map.of("PORT", "x")))).contains("PORT", "'x'");
    assertThat(message(parse("--host"))).contains("--host").endsWith("(see --help)");
    assertThat(message(parse("--host="))).contains("--host");
    assertThat(message(parse("--host", "--port", "9000"))).contains("--host");
  }

  @Test
  void parseWhenJvmOptionOrArgumentAfterJarThenRefusedWithoutItsValue() {
    String jvm = message(parse("-Dsseauth.token.secret=c2VjcmV0"));
    assertThat(jvm).contains("-Dsseauth.token.secret", "before -jar").doesNotContain("c2VjcmV0").endsWith("(see --help)");
    String positional = message(parse("--port", "9000", "s3cr3t"));
    assertThat(positional).contains("argument #3").doesNotContain("s3cr3t").endsWith("(see --help)");
  }

  @Test
  void mainWhenHelpThenPrintsUsageToStdoutAndExitsZero() throws Exception {
    Result r = runMain("--help");

    assertThat(r.status()).isZero();
    assertThat(r.stdout()).isEqualTo(DemoMain.USAGE).doesNotContain("is running");
    assertThat(r.stderr()).isEmpty();
  }

  @Test
  void mainWhenUnknownOptionThenOneLineOnStderrAndExitsTwo() throws Exception {
    Result r = runMain("--prot", "9000");

    assertThat(r.status()).isEqualTo(2);
    assertThat(r.stdout()).isEmpty();
    assertThat(r.stderr().strip()).isEqualTo("sse-auth demo: unknown option --prot (see --help)");
  }

  private static String message(Command command) {
    assertThat(command).isInstanceOf(Refused.class);
    String message = ((Refused) command).message();
    assertThat(message).doesNotContain("\n", "\r");
    return message;
  }

  private record Result(int status, String stdout, String stderr) {}

  /** Runs {@link DemoMain#main} in a JVM of its own (it exits), on this test's class path. */
  private static Result runMain(String... args) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new java.util.ArrayList<>(List.of(java.toString(), "-cp",
        System.getProperty("java.class.path"), DemoMain.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeAll(List.of("PORT", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"));
    Process p = pb.start();
    p.getOutputStream().close();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("DemoMain " + String.join(" ", args) + " did not exit within 60 s");
    }
    return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
  }

  private static String read(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
