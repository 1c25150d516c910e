package dev.sseauth.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads and strips named parameters of a raw query string. Stateless and thread-safe. */
public final class QueryParams {
  private QueryParams() {}

  /** The decoded values of every parameter whose decoded name is {@code name}, in order. */
  public static List<String> values(String rawQuery, String name) {
    List<String> out = new ArrayList<>(1);
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    int start = 0;
    while (start <= rawQuery.length()) {
      int amp = rawQuery.indexOf('&', start);
      int end = amp < 0 ? rawQuery.length() : amp;
      if (end > start) {
        int eq = rawQuery.indexOf('=', start);
        String rawName = eq < 0 || eq > end ? rawQuery.substring(start, end) : rawQuery.substring(start, eq);
        if (name.equals(percentDecode(rawName, true))) {
          String rawValue = eq < 0 || eq > end ? "" : rawQuery.substring(eq + 1, end);
          String value = percentDecode(rawValue, true);
          out.add(value == null ? "\0" : value); // undecodable: a value that never validates
        }
      }
      if (amp < 0) {
        break;
      }
      start = amp + 1;
    }
    return out;
  }

  /** {@code rawQuery} without the parameters named {@code names}; null if nothing is left. */
  public static String without(String rawQuery, String... names) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return null;
    }
    StringBuilder sb = new StringBuilder(rawQuery.length());
    int start = 0;
    boolean removed = false;
    while (start <= rawQuery.length()) {
      int amp = rawQuery.indexOf('&', start);
      int end = amp < 0 ? rawQuery.length() : amp;
      if (end > start) {
        int eq = rawQuery.indexOf('=', start);
        String rawName = eq < 0 || eq > end ? rawQuery.substring(start, end) : rawQuery.substring(start, eq);
        String decodedName = percentDecode(rawName, true);
        boolean drop = false;
        for (String n : names) {
          drop |= n.equals(decodedName);
        }
        if (drop) {
          removed = true;
        } else {
          if (sb.length() > 0) {
            sb.append('&');
          }
          sb.append(rawQuery, start, end);
        }
      }
      if (amp < 0) {
        break;
      }
      start = amp + 1;
    }
    if (!removed) {
      return rawQuery;
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  /**
   * Percent-decodes UTF-8; {@code +} becomes a space when {@code plusIsSpace}.
   *
   * @return the decoded text, or null if the encoding or the UTF-8 is malformed
   */
  public static String percentDecode(String s, boolean plusIsSpace) {
    if (s.indexOf('%') < 0 && (!plusIsSpace || s.indexOf('+') < 0)) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        out.write(' ');
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /**
   * Percent-decodes what it can: a malformed escape stays as it is, malformed UTF-8 becomes U+FFFD,
   * {@code +} becomes a space. For scanning a query a client wrote, never for values handed on.
   */
  static String percentDecodeLenient(String s) {
    if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int hi = c == '%' && i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
      int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
      if (lo >= 0) {
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c == '+') {
        out.write(' ');
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
