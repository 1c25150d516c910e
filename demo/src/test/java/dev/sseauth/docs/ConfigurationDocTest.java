package dev.sseauth.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.SseAuthConfig;
import dev.sseauth.spi.ConfigKey;
import dev.sseauth.spi.StoreProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * The key table of {@code docs/configuration.md} (between {@code <!-- config-keys:begin -->} and
 * {@code <!-- config-keys:end -->}) is what the code declares: rendered from {@link SseAuthConfig#keys()}
 * and each store provider's {@link StoreProvider#configKeys()}. It lives in the demo module because the
 * demo depends on the core and on both store modules, so every provider is on its class path.
 *
 * <p>To regenerate the table after changing a key:
 * {@code mvn -pl demo test -Dtest=ConfigurationDocTest -Ddocs.write=true} (add {@code -am} if
 * the other modules are not installed), or run {@link #main}. Runs from the demo module's directory
 * (surefire's working directory), so the repository root is {@code ..}.
 */
class ConfigurationDocTest {
  static final Path DOC = Path.of("..", "docs", "configuration.md");
  static final String BEGIN = "<!-- config-keys:begin -->";
  static final String END = "<!-- config-keys:end -->";
  static final String REGENERATE =
      "mvn -pl demo test -Dtest=ConfigurationDocTest -Ddocs.write=true";

  @Test
  void configurationMdWhenComparedThenItsKeyTableIsTheCodes() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    String rendered = render();
    String current = region(doc);
    if (!current.equals(rendered) && Boolean.getBoolean("docs.write")) {
      write(doc, rendered);
      current = region(Files.readString(DOC, StandardCharsets.UTF_8));
    }
    assertThat(current)
        .as("the key table in docs/configuration.md differs from the keys declared in code "
            + "(SseAuthConfig.keys(), StoreProvider.configKeys()); regenerate it with: " + REGENERATE)
        .isEqualTo(rendered);
  }

  @Test
  void renderWhenRunThenCoreKeysThenEveryStoresUnderItsHeading() {
    String table = render();
    assertThat(providers()).extracting(StoreProvider::name).containsExactly("memory", "jdbc", "redis");
    assertThat(table).contains("| `sseauth.ticket.ttl` | duration | `30s` | 1s to 10m |")
        .contains("| `sseauth.token.secret` | string, sensitive |")
        .contains("### Store `redis`").contains("| `sseauth.redis.uri` | URI, sensitive | `redis://127.0.0.1:6379` |")
        .contains("| `sseauth.jdbc.pool-size` | integer | `4` | 1 to 64 |");
    assertThat(table.indexOf("### Store `memory`")).isLessThan(table.indexOf("### Store `jdbc`"));
    assertThat(table.indexOf("### Store `jdbc`")).isLessThan(table.indexOf("### Store `redis`"));
  }

  /** Rewrites the key table of {@code docs/configuration.md}; run from the demo module's directory. */
  public static void main(String[] args) throws IOException {
    write(Files.readString(DOC, StandardCharsets.UTF_8), render());
    System.out.println("wrote the key table of " + DOC.toAbsolutePath().normalize());
  }

  private static void write(String doc, String rendered) throws IOException {
    int b = doc.indexOf(BEGIN);
    int e = doc.indexOf(END);
    Files.writeString(DOC, doc.substring(0, b + BEGIN.length()) + "\n" + rendered + doc.substring(e),
        StandardCharsets.UTF_8);
  }

  private static String region(String doc) {
    int b = doc.indexOf(BEGIN);
    int e = doc.indexOf(END);
    assertThat(b).as("docs/configuration.md holds " + BEGIN).isNotNegative();
    assertThat(e).as("docs/configuration.md holds " + END + " after " + BEGIN).isGreaterThan(b);
    return doc.substring(b + BEGIN.length() + 1, e);
  }

  /** Store providers on the class path: the memory store first, the others by name. */
  static List<StoreProvider> providers() {
    List<StoreProvider> out = new ArrayList<>();
    ServiceLoader.load(StoreProvider.class).forEach(out::add);
    out.sort(Comparator.comparing((StoreProvider p) -> !p.name().equals("memory")).thenComparing(StoreProvider::name));
    return out;
  }

  /** The Markdown between the markers: the core's keys, then each store's under its own heading. */
  static String render() {
    StringBuilder out = new StringBuilder();
    out.append("<!-- generated from SseAuthConfig.keys() and each StoreProvider.configKeys(); edit the code, then: ")
        .append(REGENERATE).append(" -->\n\n");
    out.append("### Core\n\n");
    table(out, SseAuthConfig.keys());
    for (StoreProvider p : providers()) {
      out.append("\n### Store `").append(p.name()).append("`\n\n");
      out.append("Read only when `sseauth.store=").append(p.name()).append("`").append(p.name().equals("memory")
          ? " (the default)." : ".").append("\n\n");
      table(out, p.configKeys());
    }
    return out.append('\n').toString();
  }

  private static void table(StringBuilder out, List<ConfigKey<?>> keys) {
    out.append("| key | type | default | allowed | meaning |\n");
    out.append("|---|---|---|---|---|\n");
    for (ConfigKey<?> k : keys) {
      out.append("| `").append(k.name()).append("` | ").append(type(k)).append(" | ").append(defaultCell(k))
          .append(" | ").append(k.range() == null ? "any" : plain(k.range())).append(" | ")
          .append(k.doc().replace("|", "\\|")).append(" |\n");
    }
  }

  private static String type(ConfigKey<?> k) {
    String t = k.type() == ConfigKey.Type.URI ? "URI" : k.type().name().toLowerCase(java.util.Locale.ROOT);
    return k.isSensitive() ? t + ", sensitive" : t;
  }

  private static <T> String defaultCell(ConfigKey<T> k) {
    String shown = k.defaultText();
    if (shown == null) {
      return "—";
    }
    boolean value = k.defaultValue() != null && shown.equals(k.format(k.defaultValue()));
    return value ? "`" + shown + "`" : shown.replace("|", "\\|");
  }

  /** Text shown as is: Markdown's emphasis and table characters escaped. */
  private static String plain(String s) {
    return s.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("|", "\\|").replace("<", "&lt;");
  }
}
