package dev.sseauth.spi;

import dev.sseauth.internal.ConfigReader;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One configuration key, declared once: its name, the type of its values, its default, the values it
 * allows, whether a value may hold a credential, and a one-line description. The core's properties
 * reader, the builders' validation, the environment-variable names and the documentation's key table
 * all come from these declarations: the core declares its own keys
 * ({@link dev.sseauth.SseAuthConfig#keys()}) and each store declares its own in
 * {@link StoreProvider#configKeys()}.
 *
 * <p>A key also reads and checks its values and makes the errors about them: every message names the
 * key, and shows the value only if the key is not {@link #isSensitive() sensitive}.
 *
 * <pre>{@code
 * static final ConfigKey<Duration> TIMEOUT = ConfigKey.duration("sseauth.redis.timeout",
 *     Duration.ofSeconds(2), Duration.ofMillis(10), Duration.ofMinutes(1), "command and connect timeout");
 *
 * Duration timeout = TIMEOUT.read(context.properties()); // 2s if absent; "5ms" fails naming the key
 * }</pre>
 *
 * <p>Immutable and thread-safe. Parameters are not null unless they say so.
 *
 * @param <T> the type of the key's values: {@link Duration}, {@link Integer}, {@link Boolean},
 *     {@link String} or a {@link List} of strings
 */
public final class ConfigKey<T> {
  /** The kinds of values a key takes, each written in properties as its factory method says. */
  public enum Type {
    /** {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}, {@code 2d} or ISO-8601 ({@code PT30S}). */
    DURATION,
    /** A whole number, decimal. */
    INTEGER,
    /** {@code true} or {@code false}, in any case. */
    BOOLEAN,
    /** Text. */
    STRING,
    /** A server URI or JDBC URL; it may hold a user and password, so it is sensitive. */
    URI,
    /** Comma-separated text; blanks around each item are dropped, and so are empty items. */
    LIST
  }

  private static final Pattern NAME = Pattern.compile("sseauth(\\.[a-z0-9]+(-[a-z0-9]+)*)+");
  private static final String DURATION_RULE = "must be a duration such as 500ms, 30s, 10m, 1h or 2d";

  private final String name;
  private final Type type;
  private final T defaultValue;
  private final String defaultText;
  private final Comparable<?> min;
  private final Comparable<?> max;
  private final Pattern pattern;
  private final String rule;
  private final boolean sensitive;
  private final String doc;

  private ConfigKey(String name, Type type, T defaultValue, String defaultText, Comparable<?> min, Comparable<?> max,
      Pattern pattern, String rule, boolean sensitive, String doc) {
    this.name = name;
    this.type = type;
    this.defaultValue = defaultValue;
    this.defaultText = defaultText;
    this.min = min;
    this.max = max;
    this.pattern = pattern;
    this.rule = rule;
    this.sensitive = sensitive;
    this.doc = doc;
  }

  private static <T> ConfigKey<T> declare(String name, Type type, T defaultValue, Comparable<?> min, Comparable<?> max,
      String pattern, String rule, boolean sensitive, String doc) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a configuration key is sseauth. and lower-case words, dots and dashes, but was '"
          + name + "'");
    }
    if (doc == null || doc.isBlank() || doc.contains("\n")) {
      throw new IllegalArgumentException(name + ": its description must be one line of text");
    }
    if (pattern != null && rule == null) {
      throw new IllegalArgumentException(name + ": a pattern needs a rule that says it in words");
    }
    ConfigKey<T> key = new ConfigKey<>(name, type, defaultValue, null, min, max,
        pattern == null ? null : Pattern.compile(pattern), rule, sensitive, doc);
    if (defaultValue != null) {
      key.check(defaultValue);
    }
    return key;
  }

  /**
   * A duration key, such as {@code sseauth.redis.timeout}: values like {@code 250ms}, {@code 2s},
   * {@code 1m}, between {@code min} and {@code max} inclusive.
   *
   * @param doc what the key does, one line (Markdown code spans allowed)
   * @throws IllegalArgumentException if the name is not {@code sseauth.} and lower-case words, the
   *     description is not one line, or the default is out of range
   */
  public static ConfigKey<Duration> duration(String name, Duration defaultValue, Duration min, Duration max, String doc) {
    Objects.requireNonNull(defaultValue, "defaultValue");
    return declare(name, Type.DURATION, defaultValue, Objects.requireNonNull(min, "min"), Objects.requireNonNull(max, "max"),
        null, "must be between " + ConfigReader.format(min) + " and " + ConfigReader.format(max), false, doc);
  }

  /**
   * A whole-number key, between {@code min} and {@code max} inclusive.
   *
   * @throws IllegalArgumentException as {@link #duration} does
   */
  public static ConfigKey<Integer> integer(String name, int defaultValue, int min, int max, String doc) {
    return declare(name, Type.INTEGER, defaultValue, min, max, null, "must be between " + min + " and " + max, false, doc);
  }

  /**
   * A {@code true}/{@code false} key.
   *
   * @throws IllegalArgumentException as {@link #duration} does
   */
  public static ConfigKey<Boolean> bool(String name, boolean defaultValue, String doc) {
    return declare(name, Type.BOOLEAN, defaultValue, null, null, null, "must be true or false", false, doc);
  }

  /**
   * A text key. Not sensitive: call {@link #sensitive()} on a key whose value may hold a credential (a
   * password, a user name).
   *
   * @param defaultValue the default, or null for none
   * @param pattern a regular expression the whole value must match, or null to accept any value
   * @param rule what the value must be, as words that follow the key in a message ({@code "must be 1 to
   *     32 of a-z 0-9 _"}); null only without a pattern. Without a pattern it only documents the key,
   *     for a caller that checks the value itself
   * @throws IllegalArgumentException as {@link #duration} does, or if a pattern comes without a rule
   */
  public static ConfigKey<String> string(String name, String defaultValue, String pattern, String rule, String doc) {
    return declare(name, Type.STRING, defaultValue, null, null, pattern, rule, false, doc);
  }

  /**
   * A URI key, such as a server URI or a JDBC URL: a text key that is {@link #isSensitive() sensitive}
   * (it may hold a user and password), so no message shows its value.
   *
   * @param defaultValue the default, or null for none
   * @param pattern a regular expression the whole value must match, or null to accept any value (the
   *     store then checks it itself, with {@link #invalid(String)} for the error)
   * @param rule what the value must be ({@code "must be a URI such as redis://127.0.0.1:6379"})
   * @throws IllegalArgumentException as {@link #string} does
   */
  public static ConfigKey<String> uri(String name, String defaultValue, String pattern, String rule, String doc) {
    return declare(name, Type.URI, defaultValue, null, null, pattern, Objects.requireNonNull(rule, "rule"), true, doc);
  }

  /**
   * A comma-separated list key; each item must match {@code pattern}.
   *
   * @param pattern a regular expression every item must match, or null to accept any item
   * @param rule what an item must be, or null only without a pattern; an error shows the bad item
   * @throws IllegalArgumentException as {@link #string} does
   */
  public static ConfigKey<List<String>> list(String name, List<String> defaultValue, String pattern, String rule,
      String doc) {
    return declare(name, Type.LIST, List.copyOf(defaultValue), null, null, pattern, rule, false, doc);
  }

  /** This key, but sensitive: no message shows its values, and store errors are scrubbed of them. */
  public ConfigKey<T> sensitive() {
    return new ConfigKey<>(name, type, defaultValue, defaultText, min, max, pattern, rule, true, doc);
  }

  /**
   * This key, with its default as the documentation shows it, for a default that is not a value:
   * {@code "— (required)"}, {@code "any"}, {@code "the store's deployment id"} (Markdown allowed).
   */
  public ConfigKey<T> defaultText(String text) {
    return new ConfigKey<>(name, type, defaultValue, Objects.requireNonNull(text, "text"), min, max, pattern, rule,
        sensitive, doc);
  }

  /** The full name, such as {@code sseauth.redis.timeout}. */
  public String name() {
    return name;
  }

  /** The kind of its values. */
  public Type type() {
    return type;
  }

  /** The value used when the key is absent, or null if it has none. */
  public T defaultValue() {
    return defaultValue;
  }

  /**
   * The default as the documentation shows it: the text given to {@link #defaultText(String)}, else the
   * default written as a property value ({@link #format}), or null for none.
   */
  public String defaultText() {
    if (defaultText != null) {
      return defaultText;
    }
    if (defaultValue == null) {
      return null;
    }
    String s = format(defaultValue);
    return s.isEmpty() ? null : s;
  }

  /**
   * The values allowed, in words for the documentation: {@code "10ms to 1m"}, {@code "1 to 64"},
   * {@code "true or false"}, or the rule without its leading "must be"; null if any value is.
   */
  public String range() {
    return switch (type) {
      case DURATION -> ConfigReader.format((Duration) min) + " to " + ConfigReader.format((Duration) max);
      case INTEGER -> min + " to " + max;
      case BOOLEAN -> "true or false";
      default -> rule == null ? null : rule.replaceFirst("^must (be )?", "");
    };
  }

  /** Whether its values may hold a credential: if so, no message, exception or log line shows them. */
  public boolean isSensitive() {
    return sensitive;
  }

  /** What the key does, one line (Markdown code spans allowed). */
  public String doc() {
    return doc;
  }

  /**
   * Reads {@code text} as this key's value, with blanks around it dropped, and {@link #check checks} it.
   *
   * @throws IllegalArgumentException naming the key if {@code text} is not of its type or not allowed;
   *     the message shows the value unless the key is sensitive
   * @throws NullPointerException if {@code text} is null
   */
  @SuppressWarnings("unchecked")
  public T parse(String text) {
    String v = Objects.requireNonNull(text, name).trim();
    Object value = switch (type) {
      case DURATION -> {
        Duration d = ConfigReader.parseDuration(v);
        if (d == null) {
          throw invalid(v, DURATION_RULE);
        }
        yield d;
      }
      case INTEGER -> {
        try {
          yield Integer.parseInt(v);
        } catch (NumberFormatException e) {
          throw invalid(v, "must be a whole number");
        }
      }
      case BOOLEAN -> switch (v.toLowerCase(Locale.ROOT)) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        default -> throw invalid(v);
      };
      case STRING, URI -> v;
      case LIST -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    };
    return check((T) value);
  }

  /**
   * The value of this key in {@code properties} ({@link #parse parsed}), or its {@link #defaultValue()}
   * (possibly null) if the key is absent.
   *
   * @param properties keys with their full names, such as {@link StoreContext#properties()}
   * @throws IllegalArgumentException as {@link #parse} does
   */
  public T read(Map<String, String> properties) {
    String v = properties.get(name);
    return v == null ? defaultValue : parse(v);
  }

  /**
   * {@code value} if this key allows it: a duration or number in range, a text matching the pattern, a
   * list whose every item does.
   *
   * @param value the value; null is refused
   * @return {@code value}
   * @throws IllegalArgumentException naming the key, and the value unless the key is sensitive
   */
  public T check(T value) {
    if (value == null) {
      throw rule == null ? error("must be set") : invalid("null");
    }
    switch (type) {
      case DURATION -> {
        Duration d = (Duration) value;
        if (d.compareTo((Duration) min) < 0 || d.compareTo((Duration) max) > 0) {
          throw invalid(ConfigReader.format(d));
        }
      }
      case INTEGER -> {
        int n = (Integer) value;
        if (n < (Integer) min || n > (Integer) max) {
          throw invalid(String.valueOf(n));
        }
      }
      case STRING, URI -> {
        if (pattern != null && !pattern.matcher((String) value).matches()) {
          throw invalid((String) value);
        }
      }
      case LIST -> {
        for (Object item : (List<?>) value) {
          if (item == null || (pattern != null && !pattern.matcher((String) item).matches())) {
            throw invalid(String.valueOf(item));
          }
        }
      }
      default -> { }
    }
    return value;
  }

  /**
   * Writes {@code value} as a property value that {@link #parse} reads back: {@code 250ms}, {@code 2s},
   * {@code 16}, {@code true}, a list joined with commas.
   */
  public String format(T value) {
    Objects.requireNonNull(value, "value");
    return switch (type) {
      case DURATION -> ConfigReader.format((Duration) value);
      case LIST -> String.join(",", ((List<?>) value).stream().map(String::valueOf).toList());
      default -> String.valueOf(value);
    };
  }

  /**
   * An error about a value this key does not allow, in the key's own words:
   * {@code "<key> <rule>, but was '<value>'"}, or {@code "<key> <rule>"} if the key is sensitive.
   *
   * @param value the value, or null; shown only if the key is not sensitive
   * @throws IllegalStateException if the key has no rule (a text key declared without one)
   */
  public IllegalArgumentException invalid(String value) {
    if (rule == null) {
      throw new IllegalStateException(name + " has no rule to cite");
    }
    return invalid(value, rule);
  }

  /**
   * An error about a value: {@code "<key> <rule>, but was '<value>'"}, or {@code "<key> <rule>"} if the
   * key is sensitive.
   *
   * @param value the value, or null; shown only if the key is not sensitive
   * @param rule what the value must be, as words that follow the key, such as
   *     {@code "names a database no JDBC driver accepts"}; it must not hold the value
   */
  public IllegalArgumentException invalid(String value, String rule) {
    return new IllegalArgumentException(sensitive ? name + " " + rule : name + " " + rule + ", but was '" + value + "'");
  }

  /**
   * An error about this key that shows no value: {@code "<key> <message>"}, such as
   * {@code "sseauth.jdbc.url must be set"}.
   *
   * @param message words that follow the key; they must not hold a sensitive value
   */
  public IllegalArgumentException error(String message) {
    return new IllegalArgumentException(name + " " + message);
  }

  /** {@code ConfigKey[<name>]}: the name only. */
  @Override
  public String toString() {
    return "ConfigKey[" + name + "]";
  }
}
