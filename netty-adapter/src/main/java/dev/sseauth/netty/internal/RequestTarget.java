package dev.sseauth.netty.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request URI split the way the adapters need it: an absolute-form prefix ({@code http://host}, kept
 * when the URI is rebuilt), the raw path and the raw query. Nothing is decoded or normalised here: the
 * core's path matcher does that, conservatively. {@link #toString()} shows whether there is a query, never
 * the query (it may hold a ticket).
 *
 * @param prefix the scheme and authority of an absolute-form URI, else empty
 * @param path the raw path, everything up to the first {@code ?}
 * @param rawQuery everything after the first {@code ?}, or null if there is none
 */
public record RequestTarget(String prefix, String path, String rawQuery) {
  private static final Pattern ABSOLUTE = Pattern.compile("[A-Za-z][A-Za-z0-9+.\\-]*://[^/?#]*");

  /** Splits {@code uri}. */
  public static RequestTarget parse(String uri) {
    int q = uri.indexOf('?');
    String beforeQuery = q < 0 ? uri : uri.substring(0, q);
    String query = q < 0 ? null : uri.substring(q + 1);
    String prefix = "";
    if (!beforeQuery.startsWith("/")) {
      Matcher m = ABSOLUTE.matcher(beforeQuery);
      if (m.lookingAt()) {
        prefix = m.group();
      }
    }
    return new RequestTarget(prefix, beforeQuery.substring(prefix.length()), query);
  }

  /**
   * The target as received without its query: what {@link dev.sseauth.SseAuthConfig#guards} judges, which
   * reads it every way a router might (a fragment cut off, the path after a scheme and an authority).
   */
  public String withoutQuery() {
    return prefix + path;
  }

  @Override
  public String toString() {
    return "RequestTarget[prefix=" + prefix + ", path=" + path + ", query=" + (rawQuery == null ? "absent" : "present") + "]";
  }

  /** The URI with {@code query} (null for none) in place of the original query. */
  public String withQuery(String query) {
    return query == null ? prefix + path : prefix + path + '?' + query;
  }
}
