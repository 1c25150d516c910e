package dev.sseauth;

/** What happens after a ticket is redeemed. */
public enum HandshakeMode {
  /** Write the auth event, then let the application stream on the same response (the default). */
  CONTINUE,
  /**
   * Write {@code retry: 0} and the auth event, then end the response; the browser reconnects at once
   * with the session token in {@code Last-Event-ID} and that request streams.
   */
  RECONNECT
}
