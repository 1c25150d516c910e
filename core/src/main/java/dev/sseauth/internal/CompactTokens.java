package dev.sseauth.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The compact session token ({@code sseauth.token.format=compact}): the claims a decision needs in a
 * few bytes, then a truncated HMAC-SHA-256 tag, in unpadded base64url. Only the deployment that minted
 * a token ever reads it, so it carries no JSON, no algorithm name and no audience.
 *
 * <pre>
 * byte 0        0xC1: the type and version (an sse-auth compact session token, version 1)
 * bytes 1 to 5  the key tag: the first 5 bytes of SHA-256 of the kid (UTF-8)
 * byte 6        flags: 1 = a known revocation follows, 2 = attributes follow; the other bits zero
 * sid           varint (n &lt;&lt; 1), then the n bytes a canonical unpadded base64url session id decodes to;
 *               or varint (n &lt;&lt; 1 | 1), then the session id's n bytes of UTF-8
 * iat           varint: seconds since the epoch
 * exp           zigzag varint: exp - iat, in seconds
 * sst           zigzag varint: iat × 1000 - session start, in milliseconds
 * sub           varint n, then the subject's n bytes of UTF-8 (n &gt; 0)
 * rvk           (flag 1) zigzag varint: session start - known revocation, in milliseconds
 * attributes    (flag 2) varint count (&gt; 0), then per attribute: varint n, name in UTF-8, varint n, value in UTF-8
 * tag           16 bytes: HMAC-SHA-256 truncated to 128 bits, keyed with
 *               HMAC-SHA-256(secret, "sseauth compact token key v1"), over
 *               "sseauth compact token v1", 0x00, lp(kid), lp(audience), the issuer (0x00 if none,
 *               else 0x01, lp(issuer)), then every byte above; lp(s) = varint n, then s's n bytes of UTF-8
 * </pre>
 *
 * <p>RFC 8725's rules, as they apply here: one algorithm (HMAC-SHA-256) for every key, so no algorithm is
 * read from the token; the key tag selects among configured keys only (unknown: refused); the type and
 * version byte is explicit; the audience and issuer are bound by the tag without travelling; the size is
 * checked before decoding; base64url is decoded strictly (one spelling per token); the tag is compared in
 * constant time ({@link MessageDigest#isEqual}) before any claim is read; the claims are then read
 * strictly (canonical varints, nothing left over). The tag key is derived from the secret, so the
 * secret itself keys only HS256 JWS. Stateless and thread-safe.
 */
final class CompactTokens {
  /** The type and version byte. */
  static final byte VERSION = (byte) 0xC1;
  /** Bytes of the key tag after the version byte. */
  static final int KEY_TAG_BYTES = 5;
  /** Bytes before the flags: version and key tag (a whole number of base64 quanta: 8 characters). */
  static final int HEADER_BYTES = 1 + KEY_TAG_BYTES;
  /** Bytes of the truncated HMAC tag: 128 bits. */
  static final int TAG_BYTES = 16;
  /**
   * Fewest bytes a token can have: header, flags, a one-byte session id and a one-byte subject with their
   * lengths, three one-byte times, the tag.
   */
  static final int MIN_BYTES = HEADER_BYTES + 1 + 2 + 1 + 1 + 1 + 2 + TAG_BYTES;

  private static final int FLAG_REVOCATION = 1;
  private static final int FLAG_ATTRIBUTES = 2;
  private static final byte[] MAC_LABEL = "sseauth compact token v1\0".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] KEY_LABEL = "sseauth compact token key v1".getBytes(StandardCharsets.US_ASCII);
  private static final String HMAC = "HmacSHA256";
  private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();
  private static final byte[] VALUES = new byte[128];

  static {
    Arrays.fill(VALUES, (byte) -1);
    for (int i = 0; i < ALPHABET.length; i++) {
      VALUES[ALPHABET[i]] = (byte) i;
    }
  }

  private CompactTokens() {}

  /** What a compact token says; times as stored (seconds for iat and exp, milliseconds for the rest). */
  record Claims(String subject, String sessionId, long issuedAtSecond, long expiresAtSecond, long sessionStartMilli,
      Long knownRevocationMilli, Map<String, String> attributes) {}

  /** An HS256 session key as compact tokens use it. Immutable and thread-safe; never shows its key. */
  static final class Key {
    private final String kid;
    private final byte[] header;
    private final byte[] macPrefix;
    private final SecretKeySpec macKey;
    private final Mac prototype;
    private final String prefix;

    /**
     * @param secret the HS256 secret; not kept (only the tag key derived from it)
     * @throws IllegalStateException if the platform has no HmacSHA256 or SHA-256 (every Java platform has)
     */
    Key(String kid, byte[] secret) {
      this.kid = kid;
      byte[] kidBytes = kid.getBytes(StandardCharsets.UTF_8);
      try {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(kidBytes);
        header = new byte[HEADER_BYTES];
        header[0] = VERSION;
        System.arraycopy(digest, 0, header, 1, KEY_TAG_BYTES);
        Mac derive = Mac.getInstance(HMAC);
        derive.init(new SecretKeySpec(secret, HMAC));
        macKey = new SecretKeySpec(derive.doFinal(KEY_LABEL), HMAC);
        prototype = Mac.getInstance(HMAC);
        prototype.init(macKey);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 and SHA-256 are required by every Java platform", e);
      }
      Bytes p = new Bytes(MAC_LABEL.length + 2 + kidBytes.length);
      p.put(MAC_LABEL, 0, MAC_LABEL.length);
      p.string(kidBytes);
      macPrefix = p.toArray();
      prefix = encode(header, 0, header.length);
    }

    String kid() {
      return kid;
    }

    /** The 8 characters every token of this key begins with (base64url, not in wire form). Not secret. */
    String prefix() {
      return prefix;
    }

    boolean sameTag(Key other) {
      return Arrays.equals(header, other.header);
    }

    private boolean tags(byte[] token) {
      for (int i = 1; i < HEADER_BYTES; i++) {
        if (token[i] != header[i]) {
          return false;
        }
      }
      return true;
    }

    /** The full HMAC of a token's bytes up to {@code length} under the given audience and issuer. */
    private byte[] mac(byte[] token, int length, byte[] audience, byte[] issuer) {
      Mac mac = newMac();
      mac.update(macPrefix);
      Bytes binding = new Bytes(audience.length + (issuer == null ? 0 : issuer.length) + 12);
      binding.string(audience);
      if (issuer == null) {
        binding.put(0);
      } else {
        binding.put(1);
        binding.string(issuer);
      }
      mac.update(binding.buf, 0, binding.size);
      mac.update(token, 0, length);
      return mac.doFinal();
    }

    private Mac newMac() {
      try {
        return (Mac) prototype.clone();
      } catch (CloneNotSupportedException e) {
        try {
          Mac mac = Mac.getInstance(HMAC);
          mac.init(macKey);
          return mac;
        } catch (GeneralSecurityException impossible) {
          throw new IllegalStateException("HmacSHA256 is required by every Java platform", impossible);
        }
      }
    }

    @Override
    public String toString() {
      return "CompactTokens.Key[kid=" + kid + "]";
    }
  }

  /**
   * The token for {@code claims}, tagged with {@code key} for {@code audience} and {@code issuer}: unpadded
   * base64url (its {@code _} still to be swapped for the wire, as {@link CompositeIds#toWire} does).
   *
   * @param issuer the issuer, or null for none
   */
  static String encode(Key key, Claims claims, String audience, String issuer) {
    Bytes b = new Bytes(96);
    b.put(key.header, 0, HEADER_BYTES);
    Map<String, String> attributes = claims.attributes();
    b.put((claims.knownRevocationMilli() != null ? FLAG_REVOCATION : 0) | (attributes.isEmpty() ? 0 : FLAG_ATTRIBUTES));
    byte[] raw = decode(claims.sessionId());
    if (raw != null && raw.length > 0) {
      b.varint((long) raw.length << 1);
      b.put(raw, 0, raw.length);
    } else {
      byte[] sid = utf8(claims.sessionId());
      b.varint((long) sid.length << 1 | 1);
      b.put(sid, 0, sid.length);
    }
    b.varint(claims.issuedAtSecond());
    b.varint(zigzag(claims.expiresAtSecond() - claims.issuedAtSecond()));
    b.varint(zigzag(claims.issuedAtSecond() * 1000 - claims.sessionStartMilli()));
    b.string(utf8(claims.subject()));
    if (claims.knownRevocationMilli() != null) {
      b.varint(zigzag(claims.sessionStartMilli() - claims.knownRevocationMilli()));
    }
    if (!attributes.isEmpty()) {
      b.varint(attributes.size());
      for (Map.Entry<String, String> e : attributes.entrySet()) {
        b.string(utf8(e.getKey()));
        b.string(utf8(e.getValue()));
      }
    }
    int length = b.size;
    byte[] tag = key.mac(b.buf, length, utf8(audience), issuer == null ? null : utf8(issuer));
    b.put(tag, 0, TAG_BYTES);
    return encode(b.buf, 0, b.size);
  }

  /**
   * The claims of {@code token} if it is a compact token, at most {@code maxLength} characters, whose tag
   * one of {@code keys} verifies for {@code audience} and {@code issuer}; else null. Never throws.
   *
   * @param issuer the issuer, or null for none
   */
  static Claims decode(String token, Key[] keys, String audience, String issuer, int maxLength) {
    try {
      if (token.length() > maxLength || token.length() < (MIN_BYTES * 4 + 2) / 3) {
        return null;
      }
      byte[] bytes = decode(token);
      if (bytes == null || bytes[0] != VERSION) {
        return null;
      }
      Key key = null;
      for (Key k : keys) {
        if (k.tags(bytes)) {
          key = k;
          break;
        }
      }
      if (key == null) {
        return null;
      }
      int end = bytes.length - TAG_BYTES;
      byte[] expected = Arrays.copyOf(key.mac(bytes, end, utf8(audience), issuer == null ? null : utf8(issuer)), TAG_BYTES);
      if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(bytes, end, bytes.length))) {
        return null;
      }
      return claims(new Reader(bytes, HEADER_BYTES, end));
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Claims claims(Reader r) {
    int flags = r.next();
    if ((flags & ~(FLAG_REVOCATION | FLAG_ATTRIBUTES)) != 0) {
      return null;
    }
    long sidHead = r.varint();
    int sidLength = r.length(sidHead >>> 1);
    String sid = (sidHead & 1) == 0 ? encode(r.buf, r.skip(sidLength), sidLength) : r.string(sidLength);
    long iat = r.varint();
    long exp = Math.addExact(iat, unzigzag(r.varint()));
    long sst = Math.subtractExact(Math.multiplyExact(iat, 1000L), unzigzag(r.varint()));
    String sub = r.string(r.length(r.varint()));
    Long rvk = (flags & FLAG_REVOCATION) != 0 ? Math.subtractExact(sst, unzigzag(r.varint())) : null;
    Map<String, String> attributes = Map.of();
    if ((flags & FLAG_ATTRIBUTES) != 0) {
      long count = r.varint();
      if (count == 0 || count > r.remaining()) {
        return null;
      }
      Map<String, String> m = new LinkedHashMap<>();
      for (long i = 0; i < count; i++) {
        String name = r.string(r.length(r.varint()));
        if (m.put(name, r.string(r.length(r.varint()))) != null) {
          return null;
        }
      }
      attributes = m;
    }
    if (r.remaining() != 0 || sid.isEmpty() || sub.isEmpty()) {
      return null;
    }
    return new Claims(sub, sid, iat, exp, sst, rvk, attributes);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  static long unzigzag(long u) {
    return (u >>> 1) ^ -(u & 1);
  }

  /** Unpadded base64url of {@code length} bytes of {@code b} from {@code offset}. */
  static String encode(byte[] b, int offset, int length) {
    char[] out = new char[(length * 4 + 2) / 3];
    int o = 0;
    int i = offset;
    int end = offset + length;
    for (; i + 2 < end; i += 3) {
      int v = (b[i] & 0xFF) << 16 | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF);
      out[o++] = ALPHABET[v >>> 18];
      out[o++] = ALPHABET[(v >>> 12) & 63];
      out[o++] = ALPHABET[(v >>> 6) & 63];
      out[o++] = ALPHABET[v & 63];
    }
    if (end - i == 1) {
      int v = (b[i] & 0xFF) << 4;
      out[o++] = ALPHABET[v >>> 6];
      out[o] = ALPHABET[v & 63];
    } else if (end - i == 2) {
      int v = (b[i] & 0xFF) << 10 | (b[i + 1] & 0xFF) << 2;
      out[o++] = ALPHABET[v >>> 12];
      out[o++] = ALPHABET[(v >>> 6) & 63];
      out[o] = ALPHABET[v & 63];
    }
    return new String(out);
  }

  /**
   * The bytes of canonical unpadded base64url {@code s}, or null if it is not: a character outside
   * {@code A-Z a-z 0-9 - _}, a length that leaves a lone character, or nonzero bits in the last
   * character's unused part (so every byte string has one spelling only).
   */
  static byte[] decode(String s) {
    int n = s.length();
    if (n % 4 == 1) {
      return null;
    }
    byte[] out = new byte[n * 3 / 4];
    int o = 0;
    int acc = 0;
    int bits = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      int v = c < 128 ? VALUES[c] : -1;
      if (v < 0) {
        return null;
      }
      acc = acc << 6 | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[o++] = (byte) (acc >>> bits);
        acc &= (1 << bits) - 1;
      }
    }
    return acc == 0 ? out : null;
  }

  /** A growable byte buffer. Not thread-safe. */
  private static final class Bytes {
    byte[] buf;
    int size;

    Bytes(int capacity) {
      buf = new byte[capacity];
    }

    void put(int b) {
      room(1);
      buf[size++] = (byte) b;
    }

    void put(byte[] b, int offset, int length) {
      room(length);
      System.arraycopy(b, offset, buf, size, length);
      size += length;
    }

    void varint(long v) {
      while ((v & ~0x7FL) != 0) {
        put((int) (v & 0x7F) | 0x80);
        v >>>= 7;
      }
      put((int) v);
    }

    void string(byte[] utf8) {
      varint(utf8.length);
      put(utf8, 0, utf8.length);
    }

    private void room(int n) {
      if (size + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
      }
    }

    byte[] toArray() {
      return Arrays.copyOf(buf, size);
    }
  }

  /** Reads the claims strictly: any malformation throws {@link Malformed}. Not thread-safe. */
  private static final class Reader {
    final byte[] buf;
    int pos;
    final int end;

    Reader(byte[] buf, int pos, int end) {
      this.buf = buf;
      this.pos = pos;
      this.end = end;
    }

    int next() {
      if (pos >= end) {
        throw Malformed.INSTANCE;
      }
      return buf[pos++] & 0xFF;
    }

    /** A canonical unsigned LEB128 varint of at most 64 bits. */
    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = next();
        if (shift == 63 && b > 1) {
          throw Malformed.INSTANCE;
        }
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          if (b == 0 && shift > 0) {
            throw Malformed.INSTANCE; // a redundant zero group: not canonical
          }
          return v;
        }
      }
      throw Malformed.INSTANCE;
    }

    /** {@code n} as a length that fits in what is left. */
    int length(long n) {
      if (n < 0 || n > remaining()) {
        throw Malformed.INSTANCE;
      }
      return (int) n;
    }

    int skip(int n) {
      int at = pos;
      pos += n;
      return at;
    }

    String string(int n) {
      return new String(buf, skip(n), n, StandardCharsets.UTF_8);
    }

    int remaining() {
      return end - pos;
    }
  }

  /** A malformed token: thrown only within {@link #decode(String, Key[], String, String, int)}, without a trace. */
  private static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final Malformed INSTANCE = new Malformed();

    private Malformed() {
      super("malformed compact token", null, false, false);
    }
  }
}
