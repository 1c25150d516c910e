package dev.sseauth.spring.boot.autoconfigure;

import dev.sseauth.SseAuthConfig;
import dev.sseauth.spi.ConfigKey;
import dev.sseauth.spi.StoreProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Every {@code sseauth.*} setting the application's Spring {@code Environment} holds, as the core reads
 * them ({@link SseAuthConfig#fromMap}). The property sources are read in Spring's order of precedence
 * (command line, test properties, system properties, environment variables, profile files, application
 * files, ...), and each key takes its value from the first source that sets it, as Spring's own binding
 * does; a list ({@code sseauth.paths[0]}, {@code [1]}, ... in YAML) is taken whole from one source,
 * never merged across sources. Environment variables are read in the core's form
 * ({@code SSEAUTH_TICKET_MAX_PER_SUBJECT} for {@code sseauth.ticket.max-per-subject}) and in Spring's
 * ({@code SSEAUTH_TICKET_MAXPERSUBJECT}). Placeholders are
 * resolved. Every name is passed on, so the core refuses an unknown key or a bad value at startup with its
 * usual message, naming the key and never a credential. Stateless.
 */
final class SpringProperties {
  /** A name of a list element: {@code sseauth.paths[0]}. */
  private static final Pattern INDEXED = Pattern.compile("(sseauth\\.[^\\[]+)\\[(\\d+)]");
  /** The source Spring adds over all the others (it would list every name again). */
  private static final String ATTACHED = "configurationProperties";

  private SpringProperties() {}

  static Map<String, String> read(ConfigurableEnvironment env) {
    Map<String, String> out = new TreeMap<>();
    for (PropertySource<?> source : env.getPropertySources()) { // highest precedence first
      if (!(source instanceof EnumerablePropertySource<?> e) || ATTACHED.equals(source.getName())) {
        continue;
      }
      Map<String, String> own = StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME.equals(source.getName())
          ? environmentVariables(e) : settings(env, e);
      own.forEach(out::putIfAbsent); // a key a stronger source set keeps that source's value, lists whole
    }
    return out;
  }

  /** The {@code sseauth.*} settings of one source, a list's elements joined into one value. */
  private static Map<String, String> settings(ConfigurableEnvironment env, EnumerablePropertySource<?> source) {
    Map<String, String> own = new TreeMap<>();
    Map<String, TreeMap<Integer, String>> lists = new TreeMap<>();
    for (String name : source.getPropertyNames()) {
      if (!name.startsWith("sseauth.")) {
        continue;
      }
      Object raw = source.getProperty(name);
      if (raw == null) {
        continue;
      }
      Matcher m = INDEXED.matcher(name);
      String key = m.matches() ? m.group(1) : name;
      String value = resolve(env, key, String.valueOf(raw));
      if (m.matches()) {
        lists.computeIfAbsent(key, k -> new TreeMap<>()).put(Integer.parseInt(m.group(2)), value);
      } else {
        own.put(key, value);
      }
    }
    lists.forEach((key, items) -> own.putIfAbsent(key, String.join(",", items.values())));
    return own;
  }

  /** {@code value} with its placeholders resolved; on failure, an error naming the key, not the value. */
  private static String resolve(ConfigurableEnvironment env, String key, String value) {
    try {
      return env.resolveRequiredPlaceholders(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + " holds a placeholder that cannot be resolved");
    }
  }

  /**
   * The {@code SSEAUTH_*} variables, as the core reads them ({@code SSEAUTH_TICKET_MAX_PER_SUBJECT}; it
   * names an unknown one, never its value), or in Spring's relaxed form, where a dash is dropped
   * ({@code SSEAUTH_TICKET_MAXPERSUBJECT}).
   */
  private static Map<String, String> environmentVariables(EnumerablePropertySource<?> source) {
    Map<String, String> relaxed = new TreeMap<>();
    for (ConfigKey<?> k : knownKeys()) {
      relaxed.put(k.name().replace("-", "").replace('.', '_').toUpperCase(Locale.ROOT), k.name());
    }
    Map<String, String> vars = new TreeMap<>();
    Map<String, String> own = new TreeMap<>();
    for (String name : source.getPropertyNames()) {
      Object value = source.getProperty(name);
      if (!name.startsWith("SSEAUTH_") || value == null) {
        continue;
      }
      String key = relaxed.get(name);
      if (key != null && !key.contains("-")) {
        vars.put(name, String.valueOf(value)); // the core's form too
      } else if (key != null) {
        own.put(key, String.valueOf(value));
      } else {
        vars.put(name, String.valueOf(value));
      }
    }
    SseAuthConfig.fromEnvironment(vars, new Properties()).forEach(own::putIfAbsent);
    return own;
  }

  /** The core's keys, then those of every store on the class path, by store name. */
  static List<ConfigKey<?>> knownKeys() {
    List<ConfigKey<?>> keys = new ArrayList<>(SseAuthConfig.keys());
    List<StoreProvider> providers = new ArrayList<>();
    ServiceLoader.load(StoreProvider.class, SpringProperties.class.getClassLoader()).forEach(providers::add);
    providers.sort(Comparator.comparing(StoreProvider::name));
    providers.forEach(p -> keys.addAll(p.configKeys()));
    return keys;
  }
}
