/**
 * sse-auth's SQL store ({@code sseauth.store=jdbc}): tickets and revocations in PostgreSQL or another
 * JDBC database shared by every node. Only {@code dev.sseauth.jdbc} is exported.
 */
module dev.sseauth.jdbc {
  requires transitive dev.sseauth.core;
  requires transitive java.sql;

  exports dev.sseauth.jdbc;

  provides dev.sseauth.spi.StoreProvider with dev.sseauth.jdbc.JdbcStoreProvider;
}
