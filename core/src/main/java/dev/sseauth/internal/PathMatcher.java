package dev.sseauth.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides whether a request path is guarded. Patterns: {@code /events} (that path), {@code /events/*}
 * or {@code /events/**} (that path and everything below), {@code /**} (everything).
 *
 * <p>Matching errs towards guarding. A request target is guarded if any reading of it that a server or
 * an application's router might act on is ({@link #readings}): the target as received, the part before a
 * {@code #}, and the path of the target read as a URI reference, after a scheme ({@code http:/events},
 * {@code HTTP://h:1/events}, {@code mailto:/events}) and an authority ({@code //host/events}), as
 * {@code java.net.URI#getPath()} reads it. Each reading is normalised the way the most lenient server
 * would read it (path parameters after {@code ;} dropped, percent-decoded, {@code .} and {@code ..}
 * resolved, repeated and trailing slashes ignored, case ignored), and a path that cannot be read
 * unambiguously (bad percent-encoding, an encoded slash or backslash, an encoded control character such
 * as NUL, {@code ..} above the root) is guarded.
 * Immutable and thread-safe.
 */
public final class PathMatcher {
  private final List<Pattern> patterns;

  private record Pattern(List<String> segments, boolean prefix) {}

  /** @throws IllegalArgumentException if a pattern is invalid, naming it */
  public PathMatcher(List<String> patterns) {
    List<Pattern> list = new ArrayList<>();
    for (String p : patterns) {
      validate(p);
      boolean prefix = p.endsWith("/*") || p.endsWith("/**");
      String base = prefix ? p.substring(0, p.lastIndexOf('/')) : p;
      List<String> segs = normalise(base);
      list.add(new Pattern(segs, prefix));
    }
    this.patterns = List.copyOf(list);
  }

  /** @throws IllegalArgumentException if {@code pattern} is not a supported path pattern */
  public static void validate(String pattern) {
    if (pattern == null || !pattern.startsWith("/")) {
      throw CoreKeys.PATHS.invalid(pattern, "must hold absolute path patterns");
    }
    String base = pattern.endsWith("/**") ? pattern.substring(0, pattern.length() - 3)
        : pattern.endsWith("/*") ? pattern.substring(0, pattern.length() - 2) : pattern;
    if (base.contains("*") || base.contains(";") || base.contains("%") || base.contains("\\")) {
      throw CoreKeys.PATHS.invalid(pattern, "supports /path, /path/* and /path/** only");
    }
  }

  /**
   * Whether a request to {@code rawPath} is guarded: the request target as received, without its query
   * (origin-form or absolute-form, or anything a lenient server accepted); null is guarded.
   */
  public boolean matches(String rawPath) {
    if (rawPath == null) {
      return true;
    }
    for (String reading : readings(rawPath)) {
      if (matchesReading(reading)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether some reading of {@code rawPath} (as {@link #matches} reads it) cannot be normalised
   * unambiguously; null is.
   */
  public boolean ambiguous(String rawPath) {
    if (rawPath == null) {
      return true;
    }
    for (String reading : readings(rawPath)) {
      if (normalise(reading) == null) {
        return true;
      }
    }
    return false;
  }

  private boolean matchesReading(String rawPath) {
    List<String> segs = normalise(rawPath);
    if (segs == null) {
      return true; // ambiguous: guard it
    }
    for (Pattern p : patterns) {
      if (p.prefix ? startsWith(segs, p.segments) : segs.equals(p.segments)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The raw paths a server or router might read in {@code target} (a request target without its query):
   * the target itself; the part before the first {@code #} (a fragment, which {@code java.net.URI} and
   * Netty's {@code QueryStringDecoder} cut off); and of each, the path after a scheme and an authority
   * where there is either (RFC 3986 §3: {@code scheme ":" ["//" authority] path}), which is what
   * {@code new URI(target).getPath()} routes on, even for {@code //host/events}, a valid origin-form
   * whose path an origin server reads as is.
   */
  static List<String> readings(String target) {
    int hash = target.indexOf('#');
    List<String> whole = hash < 0 ? List.of(target) : List.of(target, target.substring(0, hash));
    List<String> out = new ArrayList<>(4);
    for (String t : whole) {
      out.add(t);
      String path = pathAfterSchemeAndAuthority(t);
      if (path != null) {
        out.add(path);
      }
    }
    return out;
  }

  /** The path of {@code ref} after its scheme and authority; null if it has neither. */
  private static String pathAfterSchemeAndAuthority(String ref) {
    int start = schemeLength(ref);
    if (ref.startsWith("//", start)) {
      int slash = ref.indexOf('/', start + 2);
      return slash < 0 ? "" : ref.substring(slash);
    }
    return start == 0 ? null : ref.substring(start);
  }

  /** The length of {@code ref}'s {@code scheme ":"} prefix (RFC 3986 §3.1), or 0 if it has none. */
  private static int schemeLength(String ref) {
    if (ref.isEmpty() || !isAsciiLetter(ref.charAt(0))) {
      return 0;
    }
    for (int i = 1; i < ref.length(); i++) {
      char c = ref.charAt(i);
      if (c == ':') {
        return i + 1;
      }
      if (!isAsciiLetter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
        return 0;
      }
    }
    return 0;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean startsWith(List<String> segs, List<String> prefix) {
    return segs.size() >= prefix.size() && segs.subList(0, prefix.size()).equals(prefix);
  }

  /** The path's segments, normalised; null if ambiguous. */
  static List<String> normalise(String raw) {
    if (raw.indexOf('\\') >= 0 || raw.indexOf('\0') >= 0) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (String seg : raw.split("/", -1)) {
      int semi = seg.indexOf(';');
      if (semi >= 0) {
        seg = seg.substring(0, semi);
      }
      String decoded = decode(seg);
      if (decoded == null || decoded.indexOf('/') >= 0 || decoded.indexOf('\\') >= 0 || decoded.indexOf(';') >= 0
          || hasControl(decoded)) {
        return null;
      }
      if (decoded.isEmpty() || decoded.equals(".")) {
        continue;
      }
      if (decoded.equals("..")) {
        if (out.isEmpty()) {
          return null;
        }
        out.remove(out.size() - 1);
        continue;
      }
      out.add(decoded.toLowerCase(Locale.ROOT));
    }
    return out;
  }

  /** A control char (an encoded NUL, CR, LF...) in a segment: some servers cut or split the path there. */
  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return true;
      }
    }
    return false;
  }

  private static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    String d = QueryParams.percentDecode(s, false);
    if (d == null) {
      return null;
    }
    // Double encoding (%252F) is decoded again: whatever a lenient server could make of it.
    return d.indexOf('%') >= 0 ? decode(d) : d;
  }
}
