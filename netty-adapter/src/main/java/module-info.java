/**
 * sse-auth's Netty adapter: {@link dev.sseauth.netty.SseAuthHandler}, one per channel, serves the ticket
 * endpoint and guards event streams. Its internals are not exported.
 */
module dev.sseauth.netty {
  requires transitive dev.sseauth.core;
  requires transitive io.netty.codec.http;
  requires transitive io.netty.transport;
  requires io.netty.buffer;
  requires io.netty.common;
  requires io.netty.codec;

  exports dev.sseauth.netty;
}
