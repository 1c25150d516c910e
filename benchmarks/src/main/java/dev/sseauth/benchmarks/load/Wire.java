package dev.sseauth.benchmarks.load;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;

/**
 * What the load server and client share: the secrets, the application's events and the app's own
 * access tokens (HS256 JWTs: the bearer credential at sse-auth's ticket endpoint, and the
 * {@code ?access_token=} of the "JWT in the query string" variant).
 */
public final class Wire {
  /** Signs the app's access tokens (bearer at the ticket endpoint; {@code access_token} of the JWT variant). */
  public static final byte[] ACCESS_SECRET = "load-access-token-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  /** Signs sse-auth session tokens. */
  public static final String SESSION_SECRET = "base64:Qm8PD0qO1r7Bf+2v6uXGm4dC0aLrWfV0YpsnTz3kHhE=";
  /** Size of one application event in bytes, as the application writes it. */
  public static final int EVENT_BYTES = 100;
  /** Every application event's data starts with this, so clients tell it from sse-auth's own events. */
  public static final String APP_DATA = "data: evt";
  private static final int DISTINCT = 1024;
  private static final byte[][] EVENTS = new byte[DISTINCT][];

  static {
    for (int i = 0; i < DISTINCT; i++) {
      String head = "id: " + (100_000 + i) + "\n" + APP_DATA + "-";
      StringBuilder b = new StringBuilder(head);
      while (b.length() < EVENT_BYTES - 2) {
        b.append((char) ('a' + b.length() % 26));
      }
      b.append("\n\n");
      EVENTS[i] = b.toString().getBytes(StandardCharsets.US_ASCII);
    }
  }

  private Wire() {}

  /** The {@code i}-th application event: {@code id: <n>}, one data line, 100 bytes. Shared: do not modify. */
  public static byte[] event(int i) {
    return EVENTS[i & (DISTINCT - 1)];
  }

  /** An HS256 access token for {@code subject}, valid for an hour. */
  public static String accessToken(String subject) {
    try {
      Instant now = Instant.now();
      SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
          .subject(subject).issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(3600))).build());
      jwt.sign(new MACSigner(ACCESS_SECRET));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The "JWT in the query string" check, minimal as such filters are: parse, pin HS256, verify the
   * signature, require {@code sub} and an unexpired {@code exp}. Thread-safe.
   */
  public static final class QueryJwtVerifier {
    private final MACVerifier verifier;

    public QueryJwtVerifier() {
      try {
        verifier = new MACVerifier(ACCESS_SECRET);
      } catch (JOSEException e) {
        throw new IllegalStateException(e);
      }
    }

    /** The subject of a valid token in {@code rawQuery} ({@code access_token=}), or null. */
    public String subject(String rawQuery) {
      String token = param(rawQuery, "access_token");
      if (token == null) {
        return null;
      }
      try {
        SignedJWT jwt = SignedJWT.parse(token);
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
          return null;
        }
        JWTClaimsSet c = jwt.getJWTClaimsSet();
        Date exp = c.getExpirationTime();
        if (exp == null || !exp.after(new Date()) || c.getSubject() == null || c.getSubject().isEmpty()) {
          return null;
        }
        return c.getSubject();
      } catch (ParseException | JOSEException | RuntimeException e) {
        return null;
      }
    }
  }

  /** The first value of {@code name} in a raw query (JWTs and tickets need no percent-decoding), or null. */
  public static String param(String rawQuery, String name) {
    if (rawQuery == null) {
      return null;
    }
    int from = 0;
    while (from <= rawQuery.length()) {
      int amp = rawQuery.indexOf('&', from);
      int end = amp < 0 ? rawQuery.length() : amp;
      if (rawQuery.startsWith(name, from) && end > from + name.length() && rawQuery.charAt(from + name.length()) == '=') {
        return rawQuery.substring(from + name.length() + 1, end);
      }
      if (amp < 0) {
        return null;
      }
      from = amp + 1;
    }
    return null;
  }

  /** {@code name}'s value in the raw query as an int, or {@code dflt}. */
  public static int intParam(String rawQuery, String name, int dflt) {
    String v = param(rawQuery, name);
    try {
      return v == null ? dflt : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return dflt;
    }
  }
}
