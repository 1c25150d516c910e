package dev.sseauth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.SseAuthConfig;
import dev.sseauth.spi.ConfigKey;
import dev.sseauth.spi.StoreProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Spring Boot configuration metadata that IDEs read to complete and document {@code sseauth.*} keys
 * ({@code META-INF/spring-configuration-metadata.json}) is what the code declares: rendered from
 * {@link SseAuthConfig#keys()} and each store's {@link StoreProvider#configKeys()}, the table the core
 * reads, validates and documents from. Regenerate it with
 * {@code mvn -pl spring-boot-autoconfigure test -Dtest=ConfigurationMetadataTest -Ddocs.write=true}.
 */
class ConfigurationMetadataTest {
  static final Path FILE = Path.of("src", "main", "resources", "META-INF", "spring-configuration-metadata.json");

  @Test
  void metadataWhenComparedThenItIsTheKeyTable() throws IOException {
    String rendered = render();
    String current = Files.exists(FILE) ? Files.readString(FILE, StandardCharsets.UTF_8) : "";
    if (!current.equals(rendered) && Boolean.getBoolean("docs.write")) {
      Files.writeString(FILE, rendered, StandardCharsets.UTF_8);
      current = rendered;
    }
    assertThat(current).as("the configuration metadata differs from the keys declared in code; regenerate it with "
        + "mvn -pl spring-boot-autoconfigure test -Dtest=ConfigurationMetadataTest -Ddocs.write=true")
        .isEqualTo(rendered);
  }

  @Test
  void renderWhenRunThenEveryKeyIsThereWithItsTypeAndDefault() {
    String json = render();
    assertThat(json).contains("\"name\": \"sseauth.ticket.ttl\"").contains("\"type\": \"java.time.Duration\"")
        .contains("\"defaultValue\": \"30s\"").contains("\"name\": \"sseauth.redis.uri\"")
        .contains("\"name\": \"sseauth.jdbc.pool-size\"").contains("\"type\": \"java.util.List<java.lang.String>\"");
    for (ConfigKey<?> k : keys()) {
      assertThat(json).contains("\"name\": \"" + k.name() + "\"");
    }
  }

  static List<ConfigKey<?>> keys() {
    return SpringProperties.knownKeys();
  }

  static String render() {
    StringBuilder sb = new StringBuilder("{\n  \"groups\": [\n    {\n      \"name\": \"sseauth\",\n"
        + "      \"sourceType\": \"dev.sseauth.spring.boot.autoconfigure.SseAuthAutoConfiguration\",\n"
        + "      \"description\": \"sse-auth: authentication of Server-Sent Events streams.\"\n    }\n  ],\n"
        + "  \"properties\": [\n");
    List<ConfigKey<?>> keys = keys();
    for (int i = 0; i < keys.size(); i++) {
      ConfigKey<?> k = keys.get(i);
      sb.append("    {\n      \"name\": \"").append(k.name()).append("\",\n      \"type\": \"").append(javaType(k))
          .append("\",\n      \"sourceType\": \"dev.sseauth.spring.boot.autoconfigure.SseAuthAutoConfiguration\",\n")
          .append("      \"description\": \"").append(json(description(k))).append('"');
      String d = valueDefault(k);
      if (d != null && !k.isSensitive()) {
        sb.append(",\n      \"defaultValue\": ").append(defaultValue(k, d));
      }
      sb.append("\n    }").append(i + 1 < keys.size() ? ",\n" : "\n");
    }
    return sb.append("  ]\n}\n").toString();
  }

  /** The default as a property value, or null if it has none (a default told in words is not one). */
  private static <T> String valueDefault(ConfigKey<T> k) {
    T v = k.defaultValue();
    if (v == null) {
      return null;
    }
    String text = k.format(v);
    return text.isEmpty() ? null : text;
  }

  private static String description(ConfigKey<?> k) {
    String range = k.range();
    String doc = k.doc().replace("`", "");
    String text = (doc.endsWith(".") ? doc : doc + ".") + (range == null ? "" : " Allowed: " + range.replace("`", "") + ".");
    return k.isSensitive() ? text + " Sensitive: never logged." : text;
  }

  private static String javaType(ConfigKey<?> k) {
    return switch (k.type()) {
      case DURATION -> "java.time.Duration";
      case INTEGER -> "java.lang.Integer";
      case BOOLEAN -> "java.lang.Boolean";
      case STRING, URI -> "java.lang.String";
      case LIST -> "java.util.List<java.lang.String>";
    };
  }

  private static String defaultValue(ConfigKey<?> k, String text) {
    return switch (k.type()) {
      case INTEGER, BOOLEAN -> text;
      case LIST -> {
        List<String> items = new ArrayList<>();
        for (String item : text.split(",")) {
          if (!item.isBlank()) {
            items.add("\"" + json(item.strip()) + "\"");
          }
        }
        yield "[" + String.join(", ", items) + "]";
      }
      default -> "\"" + json(text) + "\"";
    };
  }

  private static String json(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }
}
