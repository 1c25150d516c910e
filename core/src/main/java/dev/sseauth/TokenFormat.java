package dev.sseauth;

/**
 * How new session tokens are written ({@code sseauth.token.format}). Verification accepts both forms
 * whatever this says, so a deployment switches from one to the other without ending a session: tokens
 * of the other form verify until they rotate.
 */
public enum TokenFormat {
  /**
   * The default: a binary token in base64url, HMAC-SHA-256 tagged (128 bits), read only by the
   * deployment that minted it. About 90 characters for a 20-character subject. Needs an HS256 signing
   * key: with an ES256 or RS256 signing key the configuration is refused at build time.
   */
  COMPACT,
  /**
   * A compact JWS ({@code typ: sseauth+jwt}), readable with standard JOSE tooling; HS256, ES256 or
   * RS256. About 270 characters for an HS256 token, ES256 about 43 more, RS256 about 300 more.
   */
  JWS
}
