package dev.sseauth.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A key reads, checks and documents its values, and its errors name it without a sensitive value. */
class ConfigKeyTest {
  private static final String CANARY = "CANARY-hunter2-Zq7";

  private static final ConfigKey<Duration> INTERVAL = ConfigKey.duration("sseauth.test.interval", Duration.ofMillis(250),
      Duration.ofMillis(10), Duration.ofMinutes(1), "how often");
  private static final ConfigKey<Integer> SIZE = ConfigKey.integer("sseauth.test.pool-size", 4, 1, 64, "threads");
  private static final ConfigKey<Boolean> CREATE = ConfigKey.bool("sseauth.test.create-schema", false, "create tables");
  private static final ConfigKey<String> PREFIX = ConfigKey.string("sseauth.test.prefix", "app_", "[a-z][a-z0-9_]{0,31}",
      "must be 1 to 32 of a-z 0-9 _ starting with a letter", "table prefix");
  private static final ConfigKey<String> URL = ConfigKey.uri("sseauth.test.url", null, "(?s)jdbc:.*",
      "must be a JDBC URL such as jdbc:postgresql://127.0.0.1:5432/app", "the database").defaultText("— (required)");
  private static final ConfigKey<String> PASSWORD = ConfigKey.string("sseauth.test.password", null, null, null,
      "the password").sensitive();
  private static final ConfigKey<List<String>> ORIGINS = ConfigKey.list("sseauth.test.origins", List.of(),
      "https?://[a-z.]+", "must be origins such as https://app.example", "allowed origins").defaultText("any");

  @Test
  void parseWhenDurationsInEveryUnitThenRead() {
    assertThat(INTERVAL.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(INTERVAL.parse(" 2s ")).isEqualTo(Duration.ofSeconds(2));
    assertThat(INTERVAL.parse("1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(INTERVAL.parse("PT0.5S")).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void parseWhenDurationOutOfRangeOrNotADurationThenFailsNamingKeyAndValue() {
    assertThatThrownBy(() -> INTERVAL.parse("5m")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.test.interval must be between 10ms and 1m, but was '5m'");
    assertThatThrownBy(() -> INTERVAL.parse("250")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.test.interval must be a duration such as 500ms, 30s, 10m, 1h or 2d, but was '250'");
    assertThatThrownBy(() -> INTERVAL.check(Duration.ofMillis(9))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.test.interval must be between 10ms and 1m, but was '9ms'");
  }

  @Test
  void parseWhenIntegersAndBooleansThenReadOrFailNamingKeyAndValue() {
    assertThat(SIZE.parse("64")).isEqualTo(64);
    assertThatThrownBy(() -> SIZE.parse("65")).hasMessage("sseauth.test.pool-size must be between 1 and 64, but was '65'");
    assertThatThrownBy(() -> SIZE.parse("many")).hasMessage("sseauth.test.pool-size must be a whole number, but was 'many'");
    assertThat(CREATE.parse("TRUE")).isTrue();
    assertThat(CREATE.parse("false")).isFalse();
    assertThatThrownBy(() -> CREATE.parse("yes")).hasMessage("sseauth.test.create-schema must be true or false, but was 'yes'");
  }

  @Test
  void checkWhenTextBreaksThePatternThenFailsNamingKeyAndValue() {
    assertThat(PREFIX.check("sseauth_")).isEqualTo("sseauth_");
    assertThatThrownBy(() -> PREFIX.check("x; DROP TABLE users"))
        .hasMessage("sseauth.test.prefix must be 1 to 32 of a-z 0-9 _ starting with a letter, but was 'x; DROP TABLE users'");
    assertThatThrownBy(() -> PREFIX.check(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("sseauth.test.prefix must be 1 to 32");
    assertThatThrownBy(() -> PASSWORD.check(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.test.password must be set");
  }

  @Test
  void errorsWhenKeySensitiveThenNeverShowTheValue() {
    assertThat(URL.isSensitive()).isTrue();
    assertThat(PASSWORD.isSensitive()).isTrue();
    assertThat(PREFIX.isSensitive()).isFalse();
    String url = "postgresql://u:" + CANARY + "@host/db";
    assertThatThrownBy(() -> URL.parse(url)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.test.url must be a JDBC URL such as jdbc:postgresql://127.0.0.1:5432/app");
    assertThat(URL.invalid(url, "names a database no driver accepts").getMessage())
        .isEqualTo("sseauth.test.url names a database no driver accepts");
    assertThat(PASSWORD.invalid(CANARY, "is wrong").getMessage()).isEqualTo("sseauth.test.password is wrong");
    assertThat(PASSWORD.error("must be set").getMessage()).isEqualTo("sseauth.test.password must be set");
    assertThat(PASSWORD.toString()).isEqualTo("ConfigKey[sseauth.test.password]");
  }

  @Test
  void readWhenAbsentThenDefaultElseParsed() {
    assertThat(INTERVAL.read(Map.of())).isEqualTo(Duration.ofMillis(250));
    assertThat(INTERVAL.read(Map.of("sseauth.test.interval", "1s"))).isEqualTo(Duration.ofSeconds(1));
    assertThat(URL.read(Map.of())).isNull();
    assertThat(ORIGINS.read(Map.of("sseauth.test.origins", " https://a.example, ,http://b.example ")))
        .containsExactly("https://a.example", "http://b.example");
    assertThatThrownBy(() -> ORIGINS.read(Map.of("sseauth.test.origins", "https://a.example,evil")))
        .hasMessage("sseauth.test.origins must be origins such as https://app.example, but was 'evil'");
    assertThatThrownBy(() -> SIZE.read(Map.of("sseauth.test.pool-size", "0"))).hasMessageContaining("'0'");
  }

  @Test
  void documentationWhenRenderedThenTypeDefaultAndRangeInWords() {
    assertThat(INTERVAL.type()).isEqualTo(ConfigKey.Type.DURATION);
    assertThat(INTERVAL.defaultText()).isEqualTo("250ms");
    assertThat(INTERVAL.range()).isEqualTo("10ms to 1m");
    assertThat(SIZE.range()).isEqualTo("1 to 64");
    assertThat(CREATE.defaultText()).isEqualTo("false");
    assertThat(CREATE.range()).isEqualTo("true or false");
    assertThat(PREFIX.range()).isEqualTo("1 to 32 of a-z 0-9 _ starting with a letter");
    assertThat(URL.type()).isEqualTo(ConfigKey.Type.URI);
    assertThat(URL.defaultText()).isEqualTo("— (required)");
    assertThat(PASSWORD.defaultText()).isNull();
    assertThat(PASSWORD.range()).isNull();
    assertThat(ORIGINS.defaultText()).isEqualTo("any");
    assertThat(ORIGINS.doc()).isEqualTo("allowed origins");
  }

  @Test
  void formatWhenReadBackThenSameValue() {
    for (Duration d : List.of(Duration.ofMillis(10), Duration.ofMillis(1500), Duration.ofSeconds(30), Duration.ofMinutes(1))) {
      assertThat(INTERVAL.parse(INTERVAL.format(d))).isEqualTo(d);
    }
    assertThat(ORIGINS.format(List.of("https://a.example", "http://b.example"))).isEqualTo("https://a.example,http://b.example");
  }

  @Test
  void declareWhenNameDocOrDefaultWrongThenFails() {
    assertThatThrownBy(() -> ConfigKey.bool("redis.create", true, "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis.create");
    assertThatThrownBy(() -> ConfigKey.bool("sseauth.Test.x", true, "x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConfigKey.bool("sseauth.test.x", true, "two\nlines")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConfigKey.integer("sseauth.test.x", 0, 1, 64, "x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sseauth.test.x must be between 1 and 64, but was '0'");
    assertThatThrownBy(() -> ConfigKey.string("sseauth.test.x", null, "[a-z]+", null, "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
