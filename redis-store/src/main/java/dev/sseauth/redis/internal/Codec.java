package dev.sseauth.redis.internal;

import dev.sseauth.spi.Revocation;
import dev.sseauth.spi.TicketGrant;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The compact text forms stored in Redis. Fields are separated by {@code '\n'}; free text (subject,
 * attribute names and values, revocation ids) is percent-encoded, so it never contains a separator.
 *
 * <pre>
 * grant:      2\n&lt;issuedAtMillis&gt;\n&lt;expiresAtMillis&gt;\n&lt;subjectRevokedAtMillis or empty&gt;\n&lt;subject&gt;\n&lt;name&gt;=&lt;value&gt;&amp;...
 * revocation: 1\n&lt;S|U&gt;\n&lt;revokedAtMillis&gt;\n&lt;keepUntilMillis&gt;\n&lt;id&gt;
 * </pre>
 */
final class Codec {
  private Codec() {}

  static String grant(TicketGrant g) {
    StringBuilder sb = new StringBuilder(64)
        .append("2\n").append(g.issuedAt().toEpochMilli())
        .append('\n').append(g.expiresAt().toEpochMilli())
        .append('\n').append(g.subjectRevokedAt() == null ? "" : Long.toString(g.subjectRevokedAt().toEpochMilli()))
        .append('\n').append(enc(g.subject()))
        .append('\n');
    boolean first = true;
    for (Map.Entry<String, String> e : new TreeMap<>(g.attributes()).entrySet()) {
      if (!first) {
        sb.append('&');
      }
      first = false;
      sb.append(enc(e.getKey())).append('=').append(enc(e.getValue()));
    }
    return sb.toString();
  }

  /** @throws IllegalArgumentException if {@code s} is not a grant this codec wrote */
  static TicketGrant grant(String s) {
    String[] f = s.split("\n", -1);
    if (f.length == 5 && f[0].equals("1")) { // written before grants carried the subject's revocation
      f = new String[] {"2", f[1], f[2], "", f[3], f[4]};
    }
    if (f.length != 6 || !f[0].equals("2")) {
      throw new IllegalArgumentException("not a stored ticket grant");
    }
    Map<String, String> attrs = new LinkedHashMap<>();
    if (!f[5].isEmpty()) {
      for (String pair : f[5].split("&")) {
        int eq = pair.indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException("not a stored ticket grant");
        }
        attrs.put(dec(pair.substring(0, eq)), dec(pair.substring(eq + 1)));
      }
    }
    return new TicketGrant(dec(f[4]), attrs, Instant.ofEpochMilli(Long.parseLong(f[1])),
        Instant.ofEpochMilli(Long.parseLong(f[2])), f[3].isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(f[3])));
  }

  /**
   * Revocation times are kept in whole milliseconds, rounded up: a session that started earlier in
   * the same millisecond as its revocation is still revoked (rounding down would let it escape).
   */
  static long ceilMillis(Instant t) {
    long ms = t.toEpochMilli();
    return t.getNano() % 1_000_000 == 0 ? ms : ms + 1;
  }

  /** @throws IllegalArgumentException if {@code s} is not a revocation this codec wrote */
  static Revocation revocation(String s) {
    String[] f = s.split("\n", -1);
    if (f.length != 5 || !f[0].equals("1") || !(f[1].equals("S") || f[1].equals("U"))) {
      throw new IllegalArgumentException("not a revocation message");
    }
    return new Revocation(f[1].equals("S") ? Revocation.Kind.SESSION : Revocation.Kind.SUBJECT, dec(f[4]),
        Instant.ofEpochMilli(Long.parseLong(f[2])), Instant.ofEpochMilli(Long.parseLong(f[3])));
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String dec(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
