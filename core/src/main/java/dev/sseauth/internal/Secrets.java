package dev.sseauth.internal;

import com.nimbusds.jose.jwk.JWKSet;
import java.text.ParseException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * What an HS256 secret must be: at least 32 bytes that look random. Refuses what is plainly not random:
 * text (a password or passphrase), a short repeated pattern, few distinct values, a regular sequence.
 * For 32 or more truly random bytes, in either form {@link #decode} takes, the chance of a refusal is
 * below 2e-12 (see {@code SecretsTest}). Stateless and thread-safe.
 */
public final class Secrets {
  /** The shortest secret: 256 bits (RFC 7518 §3.2). */
  public static final int MIN_BYTES = 32;
  /** How to make a secret, for messages. */
  public static final String MAKE_ONE = "make one with: openssl rand -base64 32";
  /** The prefix of a hex secret in {@code sseauth.token.secret}. */
  public static final String HEX = "hex:";
  /** The optional prefix of a base64 secret in {@code sseauth.token.secret}. */
  public static final String BASE64 = "base64:";

  /** Fewer distinct values (or steps between neighbours) than this is not random. */
  static final int MIN_DISTINCT = 16;
  /** Periods up to this length are looked for. */
  private static final int MAX_PERIOD = 64;

  private Secrets() {}

  /**
   * Why {@code secret} is not a usable HS256 secret, as words that follow "it" ("is shorter than 32
   * bytes"), or null if it is usable. Never describes the bytes themselves.
   */
  public static String weakness(byte[] secret) {
    if (secret.length < MIN_BYTES) {
      return "is shorter than " + MIN_BYTES + " bytes";
    }
    if (isText(secret)) {
      return "is text (a password or passphrase), not random bytes";
    }
    int[] values = new int[secret.length];
    for (int i = 0; i < secret.length; i++) {
      values[i] = secret[i] & 0xFF;
    }
    return pattern(values, 256, "byte values");
  }

  /**
   * Decodes a secret as {@code sseauth.token.secret} takes it: base64 (standard or URL-safe, padding
   * optional, line breaks ignored), optionally after {@code base64:}, or hex after {@code hex:}; at least 32 bytes that pass
   * {@link #weakness}. The base64 text itself must also look random: at least two of upper-case letters,
   * lower-case letters and digits, no short repeated pattern, at least 16 distinct characters, no
   * regular sequence. Unprefixed text of hex digits only is refused as ambiguous.
   *
   * @param key the key named in the message
   * @throws IllegalArgumentException naming {@code key}, saying why and how to make a secret; the message
   *     never holds the value or its length
   */
  public static byte[] decode(String key, String text) {
    String why;
    byte[] bytes = null;
    if (text.startsWith(HEX)) {
      bytes = hex(text.substring(HEX.length()));
      why = bytes == null ? "is not valid hex" : weakness(bytes);
    } else {
      boolean prefixed = text.startsWith(BASE64);
      // line breaks, as openssl rand -base64 writes every 64 characters, are not part of the value
      String b64 = (prefixed ? text.substring(BASE64.length()) : text).replace("\r", "").replace("\n", "");
      why = base64Weakness(b64, prefixed);
      if (why == null) {
        bytes = base64(b64);
        why = weakness(bytes);
      }
    }
    if (why != null) {
      throw ConfigErrors.about(key, "must be at least " + MIN_BYTES + " random bytes written in base64 (or in hex after '"
          + HEX + "'), but it " + why + "; " + MAKE_ONE);
    }
    return bytes;
  }

  private static String base64Weakness(String text, boolean prefixed) {
    String body = stripPadding(text);
    if (body == null || body.isEmpty() || body.length() % 4 == 1 || !alphabet(body)) {
      return "is not valid base64";
    }
    if (!prefixed && body.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      return "is all hex digits: write '" + HEX + "' before a hex secret, or '" + BASE64 + "' before a base64 one";
    }
    if (body.length() * 6 / 8 < MIN_BYTES) {
      return "encodes fewer than " + MIN_BYTES + " bytes";
    }
    boolean upper = body.chars().anyMatch(c -> c >= 'A' && c <= 'Z');
    boolean lower = body.chars().anyMatch(c -> c >= 'a' && c <= 'z');
    boolean digit = body.chars().anyMatch(c -> c >= '0' && c <= '9');
    if ((upper ? 1 : 0) + (lower ? 1 : 0) + (digit ? 1 : 0) < 2) {
      return "uses one kind of character only (like a password, not random bytes)";
    }
    int[] symbols = new int[body.length()];
    for (int i = 0; i < symbols.length; i++) {
      symbols[i] = symbol(body.charAt(i));
    }
    return pattern(symbols, 64, "characters");
  }

  /** The text without up to two trailing '=', or null if '=' occurs elsewhere. */
  private static String stripPadding(String text) {
    int end = text.length();
    for (int i = 0; i < 2 && end > 0 && text.charAt(end - 1) == '='; i++) {
      end--;
    }
    String body = text.substring(0, end);
    return body.indexOf('=') >= 0 ? null : body;
  }

  /** Only standard ({@code + /}) or only URL-safe ({@code - _}) characters, never both. */
  private static boolean alphabet(String body) {
    boolean standard = false;
    boolean urlSafe = false;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '+' || c == '/') {
        standard = true;
      } else if (c == '-' || c == '_') {
        urlSafe = true;
      } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return !(standard && urlSafe);
  }

  /** The 6-bit value of a base64 character, either alphabet. */
  private static int symbol(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '+' || c == '-' ? 62 : 63;
  }

  private static byte[] base64(String text) {
    String body = stripPadding(text).replace('-', '+').replace('_', '/');
    return Base64.getDecoder().decode(body);
  }

  private static byte[] hex(String text) {
    if (text.isEmpty() || text.length() % 2 != 0) {
      return null;
    }
    try {
      return HexFormat.of().parseHex(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Parses a JWK set document without ever quoting it: a parser's message may hold key material, so the
   * failure says only where parsing failed.
   *
   * @throws IllegalArgumentException if the document is not a JWK set; no cause is attached
   */
  public static JWKSet jwkSet(String json) {
    try {
      return JWKSet.parse(json);
    } catch (ParseException | RuntimeException e) {
      throw new IllegalArgumentException("is not a JWK set (a JSON object with a \"keys\" array of JWKs)"
          + (e instanceof ParseException pe && pe.getErrorOffset() > 0 ? "; parsing failed at offset " + pe.getErrorOffset() : ""));
    }
  }

  /** Every byte printable ASCII or tab, CR, LF: text, however long. */
  private static boolean isText(byte[] b) {
    for (byte x : b) {
      if ((x < 0x20 || x > 0x7E) && x != '\t' && x != '\n' && x != '\r') {
        return false;
      }
    }
    return true;
  }

  /**
   * Why a sequence of symbols from an alphabet of {@code size} is plainly not random, or null: a period
   * of at most half its length (up to 64), fewer than 16 distinct symbols, or fewer than 16 distinct
   * steps between neighbours (modulo {@code size}), as in {@code ABCDEF...} or {@code 00 02 04 ...}.
   */
  static String pattern(int[] s, int size, String what) {
    int n = s.length;
    for (int p = 1; p <= Math.min(n / 2, MAX_PERIOD); p++) {
      boolean periodic = true;
      for (int i = p; i < n && periodic; i++) {
        periodic = s[i] == s[i - p];
      }
      if (periodic) {
        return "repeats a short pattern";
      }
    }
    boolean[] seen = new boolean[size];
    boolean[] steps = new boolean[size];
    int distinct = 0;
    int distinctSteps = 0;
    for (int i = 0; i < n; i++) {
      if (!seen[s[i]]) {
        seen[s[i]] = true;
        distinct++;
      }
      if (i > 0) {
        int step = Math.floorMod(s[i] - s[i - 1], size);
        if (!steps[step]) {
          steps[step] = true;
          distinctSteps++;
        }
      }
    }
    if (distinct < MIN_DISTINCT) {
      return "has too few distinct " + what;
    }
    if (distinctSteps < MIN_DISTINCT) {
      return "runs in a regular sequence";
    }
    return null;
  }
}
