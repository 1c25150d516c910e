package dev.sseauth.spi;

/**
 * Receives the revocations a store announces ({@link SseAuthStore#subscribe}). Implemented by the core;
 * stores call it.
 */
@FunctionalInterface
public interface RevocationListener {

  /**
   * A revocation was recorded, through this node or another, with the instant the store recorded.
   * Runs on a store thread; must not block.
   */
  void revoked(Revocation revocation);

  /**
   * The store may have missed announcing revocations (its notification link was down and is back, or
   * it could not read its log): the listener must look up again every session it tracks. Runs on a
   * store thread; must not block. The default does nothing.
   */
  default void resync() {}
}
