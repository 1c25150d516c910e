package dev.sseauth.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The composite SSE id {@code <token><sep><previousId>}.
 *
 * <p>A session token, compact or a compact JWS, is base64url ({@code A-Z a-z 0-9 - _}) and, for a JWS,
 * dots. Its wire form swaps {@code _} for {@code ~}, so the wire token never holds the separator (which
 * may not be a letter, digit, {@code .}, {@code -} or {@code ~}): the first separator ends the token, and
 * the previous id is everything after it, separators included, byte for byte. Stateless and thread-safe.
 */
public final class CompositeIds {
  private CompositeIds() {}

  /** A session token (either form) in wire form. */
  public static String toWire(String token) {
    return token.replace('_', '~');
  }

  /** The composite id. {@code previousId} may be empty and may hold the separator. */
  public static String encode(String wireToken, char separator, String previousId) {
    return new StringBuilder(wireToken.length() + 1 + previousId.length())
        .append(wireToken).append(separator).append(previousId).toString();
  }

  /** A parsed composite id: the session token (either form, no longer in wire form) and the previous id. */
  public record Parts(String token, String previousId) {
    @Override
    public String toString() {
      return "Parts[token=***, previousId=" + previousId + "]";
    }
  }

  /**
   * Splits a {@code Last-Event-ID} value.
   *
   * @return the parts, or null if the value is malformed: no separator, an empty or over-long token, a
   *     character outside the wire alphabet in the token, or CR, LF or NUL anywhere
   */
  public static Parts parse(String lastEventId, char separator, int maxTokenLength) {
    if (lastEventId == null) {
      return null;
    }
    int sep = -1;
    int limit = Math.min(lastEventId.length(), maxTokenLength + 1);
    for (int i = 0; i < limit; i++) {
      char c = lastEventId.charAt(i);
      if (c == separator) {
        sep = i;
        break;
      }
      if (!isWire(c)) {
        return null;
      }
    }
    if (sep <= 0) {
      return null;
    }
    for (int i = sep + 1; i < lastEventId.length(); i++) {
      char c = lastEventId.charAt(i);
      if (c == '\r' || c == '\n' || c == '\0') {
        return null;
      }
    }
    return new Parts(lastEventId.substring(0, sep).replace('~', '_'), lastEventId.substring(sep + 1));
  }

  /**
   * The session tokens that may stand in {@code text} (a query as sent, or decoded), in wire form or not,
   * each beginning with one of {@code headerPrefixes}: the exact beginnings a deployment's tokens carry,
   * in base64url, a JWS header with its dot or a compact token's first 8 characters (no dot). From each
   * occurrence the run of base64url, {@code ~} and (for a JWS) dots is read, with {@code ~} read as
   * {@code _}; candidates are that run cut at its first literal {@code _} after the prefix (for a JWS: in
   * the signature), the whole run, and the run cut at its last {@code _} (a wire token followed by a
   * composite id's separator: a wire token holds none; or a token not in wire form followed by one).
   * Linear in the text; at most {@code max} candidates, so a crafted query costs at most that many
   * verifications.
   */
  public static List<String> embeddedTokens(String text, List<String> headerPrefixes, int max) {
    List<String> found = new ArrayList<>(2);
    for (String prefix : headerPrefixes) {
      boolean jws = prefix.endsWith(".");
      for (String form : prefix.indexOf('_') < 0 ? List.of(prefix) : List.of(prefix, toWire(prefix))) {
        int end = 0;
        for (int at = text.indexOf(form); at >= 0 && found.size() < max; at = text.indexOf(form, end)) {
          end = runEnd(text, at, jws);
          String run = text.substring(at, end);
          int sig = jws ? nthDot(run, 2) + 1 : form.length();
          if (sig == 0 || sig >= run.length()) {
            continue;
          }
          int firstSep = run.indexOf('_', sig);
          add(found, max, firstSep > sig ? run.substring(0, firstSep) : null);
          add(found, max, run);
          int lastSep = run.lastIndexOf('_');
          add(found, max, lastSep > sig ? run.substring(0, lastSep) : null);
        }
      }
    }
    return found;
  }

  private static void add(List<String> found, int max, String wire) {
    if (wire != null && found.size() < max) {
      String jws = wire.replace('~', '_');
      if (!found.contains(jws)) {
        found.add(jws);
      }
    }
  }

  /**
   * Where the run of token characters ({@code isWire} or {@code _}; dots only if {@code dots}) that starts
   * at {@code at} ends.
   */
  private static int runEnd(String text, int at, boolean dots) {
    int i = at;
    while (i < text.length() && (isWire(text.charAt(i)) || text.charAt(i) == '_') && (dots || text.charAt(i) != '.')) {
      i++;
    }
    return i;
  }

  private static int nthDot(String s, int n) {
    int i = -1;
    for (int k = 0; k < n; k++) {
      i = s.indexOf('.', i + 1);
      if (i < 0) {
        return -1;
      }
    }
    return i;
  }

  private static boolean isWire(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '~' || c == '.';
  }
}
