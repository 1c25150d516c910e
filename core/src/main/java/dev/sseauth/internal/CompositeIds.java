package dev.sseauth.internal;

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

  private static boolean isWire(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '~' || c == '.';
  }
}
