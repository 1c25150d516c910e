package dev.sseauth.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes known credentials from exceptions that other code wrote (JDBC drivers, Redis clients), so that
 * what a container logs for a failed startup holds none: the message of the exception and of each of
 * its causes. Stateless and thread-safe.
 */
public final class Redaction {
  /** What a credential is replaced with. */
  public static final String MASK = "***";

  private static final Pattern USER_INFO = Pattern.compile("//([^/?#@]*)@");
  private static final Pattern PARAMETER = Pattern.compile("(?i)(?:^|[?&;:])(?:password|passwd|pwd|user|username)=([^&;]*)");

  private Redaction() {}

  /** An exception whose message was redacted: shows its original class and the redacted message. */
  public static final class RedactedException extends RuntimeException {
    private final String originalClass;

    RedactedException(String originalClass, String message) {
      super(message); // the cause stays unset until copy() sets it
      this.originalClass = originalClass;
    }

    /** The class of the exception this one replaces. */
    public String originalClass() {
      return originalClass;
    }

    @Override
    public String toString() {
      String m = getMessage();
      return originalClass + (m == null ? "" : ": " + m);
    }
  }

  /**
   * {@code text} with every occurrence of every non-empty credential replaced by {@link #MASK}, longest
   * first. A credential that starts (ends) with a letter, digit or {@code _} is replaced only where no
   * such character precedes (follows) it: the user {@code postgres} is masked in
   * {@code role "postgres"} but not in {@code org.postgresql}. Null stays null.
   */
  public static String scrub(String text, Collection<String> credentials) {
    if (text == null) {
      return null;
    }
    List<String> sorted = new ArrayList<>();
    for (String c : credentials) {
      if (c != null && !c.isEmpty()) {
        sorted.add(c);
      }
    }
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    String out = text;
    for (String c : sorted) {
      String regex = (word(c.charAt(0)) ? "(?<![A-Za-z0-9_])" : "") + Pattern.quote(c)
          + (word(c.charAt(c.length() - 1)) ? "(?![A-Za-z0-9_])" : "");
      out = Pattern.compile(regex).matcher(out).replaceAll(Matcher.quoteReplacement(MASK));
    }
    return out;
  }

  private static boolean word(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  }

  /**
   * {@code e} itself if nothing it would log (its messages, its causes' and suppressed exceptions')
   * holds a credential; else the same kind of exception ({@link IllegalArgumentException}, otherwise
   * {@link IllegalStateException}) with the message scrubbed and every cause replaced by a
   * {@link RedactedException} that keeps the cause's class name and stack trace.
   */
  public static RuntimeException scrub(RuntimeException e, Collection<String> credentials) {
    if (!holdsAny(e, credentials)) {
      return e;
    }
    Map<Throwable, RedactedException> done = new IdentityHashMap<>();
    Throwable cause = e.getCause() == null ? null : copy(e.getCause(), credentials, done);
    String message = scrub(e.getMessage(), credentials);
    RuntimeException top = e instanceof IllegalArgumentException
        ? new IllegalArgumentException(message, cause)
        : new IllegalStateException(message, cause);
    top.setStackTrace(e.getStackTrace());
    for (Throwable s : e.getSuppressed()) {
      top.addSuppressed(copy(s, credentials, done));
    }
    return top;
  }

  private static RedactedException copy(Throwable t, Collection<String> credentials, Map<Throwable, RedactedException> done) {
    RedactedException seen = done.get(t);
    if (seen != null) {
      return seen;
    }
    RedactedException r = new RedactedException(t.getClass().getName(), scrub(t.getMessage(), credentials));
    done.put(t, r);
    r.setStackTrace(t.getStackTrace());
    if (t.getCause() != null && t.getCause() != t) {
      r.initCause(copy(t.getCause(), credentials, done));
    }
    for (Throwable s : t.getSuppressed()) {
      r.addSuppressed(copy(s, credentials, done));
    }
    return r;
  }

  /** Whether any exception in {@code t}'s cause chain or among its suppressed ones would show a credential. */
  private static boolean holdsAny(Throwable t, Collection<String> credentials) {
    Set<Throwable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    java.util.ArrayDeque<Throwable> todo = new java.util.ArrayDeque<>(List.of(t));
    for (Throwable x; (x = todo.poll()) != null; ) {
      if (seen.add(x)) {
        String shown = x.toString();
        if (!scrub(shown, credentials).equals(shown)) {
          return true;
        }
        if (x.getCause() != null) {
          todo.add(x.getCause());
        }
        todo.addAll(List.of(x.getSuppressed()));
      }
    }
    return false;
  }

  /**
   * The parts of a server URI or JDBC URL that may be credentials, as written and percent-decoded: the
   * whole value, its user info and each part of it, and the values of {@code password}, {@code pwd},
   * {@code passwd}, {@code user} and {@code username} parameters ({@code ?a=b&c=d} or {@code ;A=B}).
   */
  public static Set<String> uriCredentials(String uri) {
    Set<String> out = new LinkedHashSet<>();
    if (uri == null || uri.isEmpty()) {
      return out;
    }
    out.add(uri);
    Matcher m = USER_INFO.matcher(uri);
    while (m.find()) {
      String info = m.group(1);
      addWithDecoded(out, info);
      for (String part : info.split(":", -1)) {
        addWithDecoded(out, part);
      }
    }
    Matcher p = PARAMETER.matcher(uri);
    while (p.find()) {
      addWithDecoded(out, p.group(1));
    }
    return out;
  }

  private static void addWithDecoded(Set<String> out, String s) {
    if (s.isEmpty()) {
      return;
    }
    out.add(s);
    try {
      out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException malformed) {
      // the raw form is enough
    }
  }
}
