package dev.sseauth.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The composite SSE id {@code <token><sep><previousId>}.
 *
 * <p>A compact JWS is base64url ({@code A-Z a-z 0-9 - _}) and dots. Its wire form swaps {@code _} for
 * {@code ~}, so the wire token never holds the separator (which may not be a letter, digit, {@code .},
 * {@code -} or {@code ~}): the first separator ends the token, and the previous id is everything after
 * it, separators included, byte for byte. Stateless and thread-safe.
 */
public final class CompositeIds {
  private CompositeIds() {}

  /** A compact JWS in wire form. */
  public static String toWire(String jws) {
    return jws.replace('_', '~');
  }

  /** The composite id. {@code previousId} may be empty and may hold the separator. */
  public static String encode(String wireToken, char separator, String previousId) {
    return new StringBuilder(wireToken.length() + 1 + previousId.length())
        .append(wireToken).append(separator).append(previousId).toString();
  }

  /** A parsed composite id: the JWS (no longer in wire form) and the previous id. */
  public record Parts(String jws, String previousId) {
    @Override
    public String toString() {
      return "Parts[jws=***, previousId=" + previousId + "]";
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
   * The compact JWS strings that may stand in {@code text}, in wire form or not: from every
   * {@code eyJ} (the encoding of <code>{"</code>, which starts every JWS header), the run of three
   * dot-separated base64url segments, {@code ~} read as {@code _}, and the same run cut at the last
   * {@code _} of its signature (a token not in wire form followed by a composite id's separator). At
   * most eight, so a crafted query costs at most eight verifications; the caller verifies each.
   */
  public static List<String> embeddedJws(String text) {
    List<String> found = new ArrayList<>(2);
    for (int at = text.indexOf("eyJ"); at >= 0 && found.size() < 8; at = text.indexOf("eyJ", at + 3)) {
      String run = jwsAt(text, at);
      if (run != null) {
        found.add(run);
        int cut = run.lastIndexOf('_');
        if (cut > run.lastIndexOf('.') + 1 && found.size() < 8) {
          found.add(run.substring(0, cut));
        }
      }
    }
    return found;
  }

  /** Three dot-separated segments of base64url (or wire form) starting at {@code at}; null if not. */
  private static String jwsAt(String text, int at) {
    StringBuilder jws = new StringBuilder();
    int dots = 0;
    for (int i = at; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '.' && ++dots == 3) {
        break;
      }
      if (!isWire(c) && c != '_') {
        break;
      }
      jws.append(c == '~' ? '_' : c);
    }
    int n = jws.length();
    return dots >= 2 && jws.charAt(n - 1) != '.' ? jws.toString() : null;
  }

  private static boolean isWire(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '~' || c == '.';
  }
}
