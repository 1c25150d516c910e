/**
 * sse-auth's Redis store ({@code sseauth.store=redis}): tickets, revocations and their announcements
 * shared by every node. Only {@code dev.sseauth.redis} is exported.
 */
module dev.sseauth.redis {
  requires transitive dev.sseauth.core;
  requires lettuce.core;

  exports dev.sseauth.redis;

  provides dev.sseauth.spi.StoreProvider with dev.sseauth.redis.RedisStoreProvider;
}
