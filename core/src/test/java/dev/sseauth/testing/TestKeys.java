package dev.sseauth.testing;

import java.nio.charset.StandardCharsets;

/** Fixed test secrets. Never used outside tests. */
public final class TestKeys {
  private TestKeys() {}

  /** A 256-bit HS256 secret. */
  public static final byte[] SECRET = "test-secret-0123456789-abcdefghij-KLMNOP".getBytes(StandardCharsets.UTF_8);
}
