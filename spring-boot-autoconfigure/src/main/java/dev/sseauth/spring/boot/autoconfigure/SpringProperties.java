package dev.sseauth.spring.boot.autoconfigure;

import dev.sseauth.SseAuthConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Every {@code sseauth.*} setting the application's Spring {@code Environment} holds, as the core reads
 * them ({@link SseAuthConfig#fromMap}): from {@code application.properties} or YAML (a YAML list,
 * {@code sseauth.paths[0]}, {@code [1]}, ..., becomes one comma-separated value), profiles, command-line
 * arguments and any other property source, each name at the precedence Spring gives it, placeholders
 * resolved; then {@code SSEAUTH_*} environment variables and {@code -Dsseauth.*} system properties, as
 * the core reads them everywhere else. Every name is passed on, so the core refuses an unknown key or a
 * bad value at startup with its usual message, naming the key and never a credential. Stateless.
 */
final class SpringProperties {
  /** A name of a list element: {@code sseauth.paths[0]}. */
  private static final Pattern INDEXED = Pattern.compile("(sseauth\\.[^\\[]+)\\[(\\d+)]");
  /** The source Spring adds over all the others (it would list every name twice). */
  private static final String ATTACHED = "configurationProperties";

  private SpringProperties() {}

  static Map<String, String> read(ConfigurableEnvironment env) {
    Set<String> names = new LinkedHashSet<>();
    for (PropertySource<?> source : env.getPropertySources()) {
      if (source instanceof EnumerablePropertySource<?> e && !ATTACHED.equals(source.getName())
          && !StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME.equals(source.getName())
          && !StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME.equals(source.getName())) {
        for (String name : e.getPropertyNames()) {
          if (name.startsWith("sseauth.")) {
            names.add(name);
          }
        }
      }
    }
    Map<String, String> out = new TreeMap<>();
    Map<String, TreeMap<Integer, String>> lists = new TreeMap<>();
    for (String name : names) {
      String value = env.getProperty(name); // the highest-precedence value, placeholders resolved
      if (value == null) {
        continue;
      }
      Matcher m = INDEXED.matcher(name);
      if (m.matches()) {
        lists.computeIfAbsent(m.group(1), k -> new TreeMap<>()).put(Integer.parseInt(m.group(2)), value);
      } else {
        out.put(name, value);
      }
    }
    lists.forEach((name, items) -> out.put(name, String.join(",", new ArrayList<>(items.values()))));
    out.putAll(SseAuthConfig.fromEnvironment(System.getenv(), System.getProperties()));
    return out;
  }
}
