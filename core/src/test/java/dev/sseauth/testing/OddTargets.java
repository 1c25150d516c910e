package dev.sseauth.testing;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Odd request targets and the ways applications read the path they route on from one: the "odd request
 * targets" part of the adversity layer. A guard must judge every target that any of these readings
 * would route to a guarded path, whatever the guard itself makes of the target: an application routes
 * on its own reading, not on the guard's.
 *
 * <p>The corpus ({@link #corpus()}) is request targets as a client may put them on the request line:
 * origin-form with dot segments, encodings, case, parameters, fragments, backslashes and controls;
 * absolute-form with any scheme, with and without an authority; network-path references
 * ({@code //host/events}); forms that are neither. Each target is a byte string (chars up to U+00FF,
 * no space, CR or LF), so a raw socket client can send it as is.
 *
 * <p>The readings ({@link #jdkReadings()}, {@link #nettyReadings()}) are the real parsers applications
 * use; a reading that throws on a target stands for a router that would answer 400 or 500: no path.
 * {@link #nettyReadings()} needs {@code netty-codec-http} on the class path; the rest of this class does
 * not. Stateless and thread-safe.
 */
public final class OddTargets {
  private OddTargets() {}

  /** A function that may throw: a parser. */
  @FunctionalInterface
  public interface Parser {
    /** The path {@code target} routes on, or null if the parser finds none (an opaque URI). */
    String path(String target) throws Exception;
  }

  /**
   * One way an application reads the path it routes on from a request target.
   *
   * @param name for messages
   * @param parser the reading
   */
  public record Reading(String name, Parser parser) {
    /** The path this reading finds in {@code target}; null if it finds none or throws (that router refuses it). */
    public String path(String target) {
      try {
        return parser.path(target);
      } catch (Exception e) {
        return null;
      }
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static final URI BASE = URI.create("http://localhost/");

  private static final List<Reading> JDK = List.of(
      new Reading("new URI(t).getPath()", t -> new URI(t).getPath()),
      new Reading("new URI(t).getRawPath()", t -> new URI(t).getRawPath()),
      new Reading("new URI(t).normalize().getPath()", t -> new URI(t).normalize().getPath()),
      new Reading("base.resolve(new URI(t)).getPath()", t -> BASE.resolve(new URI(t)).getPath()),
      new Reading("t up to '?'", t -> cut(t, "?")),
      new Reading("t up to '?' or '#'", t -> cut(t, "?#")));

  /** Readings with the JDK alone: {@link URI} (path, raw path, normalised, resolved) and naive cuts. */
  public static List<Reading> jdkReadings() {
    return JDK;
  }

  /** Netty's {@link QueryStringDecoder} ({@code path()}, {@code rawPath()}); needs {@code netty-codec-http}. */
  public static List<Reading> nettyReadings() {
    return NettyReadings.LIST;
  }

  /** {@link #jdkReadings()} and {@link #nettyReadings()}. */
  public static List<Reading> allReadings() {
    List<Reading> all = new ArrayList<>(JDK);
    all.addAll(NettyReadings.LIST);
    return List.copyOf(all);
  }

  /** Loaded only when asked for, so the rest of the class works without Netty. */
  private static final class NettyReadings {
    static final List<Reading> LIST = List.of(
        new Reading("new QueryStringDecoder(t).path()", t -> new QueryStringDecoder(t).path()),
        new Reading("new QueryStringDecoder(t).rawPath()", t -> new QueryStringDecoder(t).rawPath()));
  }

  private static String cut(String t, String delimiters) {
    for (int i = 0; i < t.length(); i++) {
      if (delimiters.indexOf(t.charAt(i)) >= 0) {
        return t.substring(0, i);
      }
    }
    return t;
  }

  /**
   * Whether a router with the route {@code pattern} (an {@code sseauth.paths} pattern: {@code /p},
   * {@code /p/*} or {@code /p/**}) serves {@code path}: the route itself, with or without a trailing
   * slash, and for {@code /p/*} and {@code /p/**} everything below it; letter case ignored, as some
   * routers do. Nothing is decoded or normalised here: that is the reading's business.
   */
  public static boolean routes(String pattern, String path) {
    if (path == null) {
      return false;
    }
    boolean prefix = pattern.endsWith("/*") || pattern.endsWith("/**");
    String base = (prefix ? pattern.substring(0, pattern.lastIndexOf('/')) : pattern).toLowerCase(Locale.ROOT);
    String p = path.toLowerCase(Locale.ROOT);
    return p.equals(base) || p.equals(base + "/") || (prefix && p.startsWith(base + "/"));
  }

  /** The readings among {@code readings} that route {@code target} to one of {@code patterns}; empty if none. */
  public static List<Reading> routedBy(String target, List<String> patterns, List<Reading> readings) {
    List<Reading> by = new ArrayList<>();
    for (Reading r : readings) {
      String path = r.path(target);
      if (patterns.stream().anyMatch(p -> routes(p, path))) {
        by.add(r);
      }
    }
    return by;
  }

  /** The targets of {@link #corpus()} that some reading among {@code readings} routes to one of {@code patterns}. */
  public static List<String> routed(List<String> patterns, List<Reading> readings) {
    return corpus().stream().filter(t -> !routedBy(t, patterns, readings).isEmpty()).toList();
  }

  private static final List<String> LISTED = List.of(
      // network-path references and absolute forms
      "//host/events", "///events", "//h:80/events", "//u@h/events", "//events", "////events",
      "http:/events", "HTTP:/events?a=b", "http://h/events", "HTTPS://h:1/events?x", "http:///events",
      "http://u@h/events", "http://u:p@h/events", "http://h/events#f", "http:/events#f?x", "http:events",
      "mailto:/events", "x://[::1]/events", "x-y.z+1://h/events", "a:/events", "http:////h/events",
      "http://h?/events", "http://h#/events", "http://h:/events", "http://[::1]:8080/events",
      "http://h/../events", "http://h/./events", "http://h/a/../events", "http://h/%65vents",
      "http:/./events", "http:/a/../events", "//h/a/../events", "//h/%65vents", "//h/EVENTS;x",
      // origin-form oddities
      "/events", "/./events", "/a/../events", "/%2e/events", "/%2E%2E/events", "/EVENTS", "/events;x", "/events#f",
      "/events%3Fa", "/events%23f", "/%65vents", "/%2565vents", "/events/", "/events/.", "/events/x", "/events?%",
      "/events?a#b", "/events#f?slt=x", "/events%", "/events%zz", "/events;a=b/x", "/x/..;/events",
      // neither origin-form nor absolute-form
      "*", "events", "./events", "../events", "events?a", "h:80", "h:80/events", "127.0.0.1:80",
      // backslashes, tabs, controls, encoded controls
      "/events\\", "\\events", "/\\h/events", "\\\\h\\events", "http:\\\\h\\events", "/ev\\ents",
      "/events\t", "/ev\tents", "\t/events", "/events%09", "/%09events", "/events%00", "/events%0d%0a",
      "/events%00.html", "/ev%00ents", "/events\u000b", "/events\u007f", "/events%7f");

  private static final List<String> SCHEMES = List.of("", "http:", "HTTP:", "https:", "x:", "mailto:");
  private static final List<String> AUTHORITIES = List.of("", "//", "//h", "//h:80", "//u@h", "//[::1]");
  private static final List<String> PATHS = List.of("/events", "/EVENTS", "/events/", "/events/x", "/./events",
      "/a/../events", "/%65vents", "/events;x", "events");
  private static final List<String> SUFFIXES = List.of("", "?a=b", "#f");

  /**
   * Odd request targets: a listed set, then every combination of a scheme ({@code http:}, {@code HTTP:},
   * {@code x:}...), an authority ({@code //}, {@code //h:80}, {@code //u@h}, {@code //[::1]}...), a path
   * spelling of {@code /events} and a query or fragment; without duplicates, in a fixed order.
   */
  public static List<String> corpus() {
    Set<String> all = new LinkedHashSet<>(LISTED);
    for (String scheme : SCHEMES) {
      for (String authority : AUTHORITIES) {
        for (String path : PATHS) {
          for (String suffix : SUFFIXES) {
            all.add(scheme + authority + path + suffix);
          }
        }
      }
    }
    return List.copyOf(all);
  }
}
