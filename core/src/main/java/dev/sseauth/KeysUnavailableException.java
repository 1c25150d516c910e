package dev.sseauth;

/**
 * The keys that verify bearer tokens cannot be had now: the identity provider's JWK set URL
 * ({@code sseauth.bearer.jwks-uri}) did not answer within its timeout, answered with an error, or may not be
 * asked again yet (its refetches are rate-limited). The ticket endpoint answers 503
 * ({@link Reason#KEYS_UNAVAILABLE}), never a ticket. Its message names no token and no key.
 */
public final class KeysUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param what what failed, for the log: an exception class name, never a token */
  public KeysUnavailableException(String what) {
    super("the bearer tokens' keys cannot be fetched: " + what, null, false, false);
  }
}
