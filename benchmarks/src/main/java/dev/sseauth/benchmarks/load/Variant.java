package dev.sseauth.benchmarks.load;

/** The three ways the same SSE endpoint is served. */
public enum Variant {
  /** No authentication at all. */
  UNGUARDED("unguarded"),
  /** Guarded by sse-auth: ticket endpoint plus the stream guard, in continue mode. */
  SSEAUTH("sse-auth"),
  /** Guarded by a minimal filter verifying {@code ?access_token=<HS256 JWT>} with nimbus-jose-jwt. */
  JWT_QUERY("jwt-in-query");

  private final String label;

  Variant(String label) {
    this.label = label;
  }

  /** The name in reports. */
  public String label() {
    return label;
  }
}
