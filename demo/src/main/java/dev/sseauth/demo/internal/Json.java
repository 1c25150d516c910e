package dev.sseauth.demo.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/** Just enough JSON for the demo: flat objects of strings, numbers and booleans. */
public final class Json {
  private Json() {}

  /** Escapes {@code s} as a JSON string literal, quotes included. */
  public static String str(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /**
   * Parses a flat JSON object whose values are strings, numbers, booleans or null (as strings).
   *
   * @throws IllegalArgumentException if the text is not such an object
   */
  public static Map<String, String> parseObject(String text) {
    Parser p = new Parser(text == null ? "" : text);
    Map<String, String> out = p.object();
    p.ws();
    if (p.i != p.s.length()) {
      throw new IllegalArgumentException("trailing characters after the JSON object");
    }
    return out;
  }

  private static final class Parser {
    final String s;
    int i;

    Parser(String s) {
      this.s = s;
    }

    void ws() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    void expect(char c) {
      ws();
      if (i >= s.length() || s.charAt(i) != c) {
        throw new IllegalArgumentException("expected '" + c + "' at offset " + i);
      }
      i++;
    }

    Map<String, String> object() {
      Map<String, String> m = new LinkedHashMap<>();
      expect('{');
      ws();
      if (i < s.length() && s.charAt(i) == '}') {
        i++;
        return m;
      }
      while (true) {
        ws();
        String key = string();
        expect(':');
        ws();
        m.put(key, value());
        ws();
        if (i < s.length() && s.charAt(i) == ',') {
          i++;
          continue;
        }
        expect('}');
        return m;
      }
    }

    String value() {
      if (i < s.length() && s.charAt(i) == '"') {
        return string();
      }
      int start = i;
      while (i < s.length() && "-+.0123456789eEtruefalsn".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      String v = s.substring(start, i);
      if (v.isEmpty() || !(v.equals("true") || v.equals("false") || v.equals("null")
          || v.matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?"))) {
        throw new IllegalArgumentException("expected a string, number or boolean at offset " + start);
      }
      return v;
    }

    String string() {
      if (i >= s.length() || s.charAt(i) != '"') {
        throw new IllegalArgumentException("expected a string at offset " + i);
      }
      i++;
      StringBuilder b = new StringBuilder();
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c != '\\') {
          b.append(c);
          continue;
        }
        if (i >= s.length()) {
          break;
        }
        char e = s.charAt(i++);
        switch (e) {
          case '"', '\\', '/' -> b.append(e);
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'b' -> b.append('\b');
          case 'f' -> b.append('\f');
          case 'u' -> {
            if (i + 4 > s.length()) {
              throw new IllegalArgumentException("bad \\u escape");
            }
            try {
              b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            } catch (NumberFormatException ex) {
              throw new IllegalArgumentException("bad \\u escape");
            }
            i += 4;
          }
          default -> throw new IllegalArgumentException("bad escape \\" + e);
        }
      }
      throw new IllegalArgumentException("unterminated string");
    }
  }
}
