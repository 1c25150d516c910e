package dev.sseauth.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilterSettingsTest {
  final ClassLoader loader = getClass().getClassLoader();

  @Test
  void collectWhenEverySourceSetsAKeyThenFileLosesToInitParamsToEnvironmentToSystemProperties(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("sse.properties");
    Files.writeString(file, "sseauth.ticket.ttl=5s\nsseauth.token.ttl=2h\nsseauth.paths=/a/**\nsseauth.origins=x\nother=1\n");
    Map<String, String> init = new LinkedHashMap<>();
    init.put("config-file", file.toString());
    init.put("sseauth.ticket.ttl", "6s");
    init.put("sseauth.token.ttl", "3h");
    init.put("sseauth.paths", "/b/**");
    Properties system = new Properties();
    system.setProperty("sseauth.ticket.ttl", "8s");
    system.setProperty("java.version", "ignored");
    Map<String, String> env = Map.of("SSEAUTH_TICKET_TTL", "7s", "SSEAUTH_TOKEN_TTL", "4h", "PATH", "/bin");

    Map<String, String> out = FilterSettings.collect(init, loader, env, system);

    assertThat(out).containsEntry("sseauth.ticket.ttl", "8s").containsEntry("sseauth.token.ttl", "4h")
        .containsEntry("sseauth.paths", "/b/**").containsEntry("sseauth.origins", "x")
        .doesNotContainKeys("other", "config-file", "java.version", "PATH");
  }

  @Test
  void collectWhenInitParamIsNotAnSseauthKeyThenFailsNamingItWithoutItsValue() {
    assertThatThrownBy(() -> FilterSettings.collect(Map.of("ttl", "1h"), loader, Map.of(), new Properties()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl").hasMessageNotContaining("1h");
    assertThatThrownBy(() -> FilterSettings.collect(Map.of("secret", "hunter2"), loader, Map.of(), new Properties()))
        .hasMessageContaining("secret").hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> FilterSettings.collect(Map.of("redisUri", "redis://:hunter2@10.0.0.1"), loader, Map.of(),
        new Properties())).hasMessageContaining("redisUri").hasMessageNotContaining("hunter2").hasMessageNotContaining("10.0.0.1");
  }

  @Test
  void collectWhenConfigFileIsMissingThenFailsNamingIt() {
    assertThatThrownBy(() -> FilterSettings.collect(Map.of("config-file", "/no/such/file.properties"), loader, Map.of(),
        new Properties())).hasMessageContaining("config-file").hasMessageContaining("/no/such/file.properties");
    assertThatThrownBy(() -> FilterSettings.collect(Map.of("config-file", "classpath:nope.properties"), loader, Map.of(),
        new Properties())).hasMessageContaining("classpath:nope.properties");
  }

  @Test
  void collectWhenEnvironmentNamesNoKeyThenFails() {
    assertThatThrownBy(() -> FilterSettings.collect(Map.of(), loader, Map.of("SSEAUTH_TOKEN_TLL", "1h"), new Properties()))
        .hasMessageContaining("SSEAUTH_TOKEN_TLL");
  }
}
