package dev.sseauth.testing;

import java.util.Base64;

/** Fixed test secrets: 32 random bytes each, and the base64 form {@code sseauth.token.secret} takes. Never used outside tests. */
public final class TestKeys {
  private TestKeys() {}

  /** A 256-bit HS256 secret as {@code sseauth.token.secret} takes it (made with {@code openssl rand -base64 32}). */
  public static final String SECRET_BASE64 = "Y9eEl+vy20pFkowNrkwDWR8FaEtWKBiAlyvc0dvREr0=";

  /** The bytes of {@link #SECRET_BASE64}. Each use gets the same bytes; do not modify the array. */
  public static final byte[] SECRET = Base64.getDecoder().decode(SECRET_BASE64);

  /** Another 256-bit secret, for a key that must not verify tokens of {@link #SECRET}. */
  public static final String OTHER_SECRET_BASE64 = "ydQi+73DWd2Fl0xCyUUDmB8W7q1396IXA9RrAL7Bjds=";

  /** The bytes of {@link #OTHER_SECRET_BASE64}. */
  public static final byte[] OTHER_SECRET = Base64.getDecoder().decode(OTHER_SECRET_BASE64);
}
