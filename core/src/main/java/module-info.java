/**
 * sse-auth's core: tickets, session tokens, decisions and live streams, framework-neutral.
 *
 * <ul>
 *   <li>{@code dev.sseauth}: what an application uses (configuration, the {@code SseAuth} instance,
 *       principals, sessions, revocation);
 *   <li>{@code dev.sseauth.adapter}: what a framework adapter uses (request facts, decisions rendered as
 *       data, live streams);
 *   <li>{@code dev.sseauth.spi}: what a store implements.
 * </ul>
 *
 * <p>Everything else is internal and unreachable from outside this module.
 */
module dev.sseauth.core {
  requires com.nimbusds.jose.jwt;
  requires com.github.benmanes.caffeine;

  exports dev.sseauth;
  exports dev.sseauth.adapter;
  exports dev.sseauth.spi;

  uses dev.sseauth.spi.StoreProvider;

  provides dev.sseauth.spi.StoreProvider with dev.sseauth.internal.MemoryStoreProvider;
}
