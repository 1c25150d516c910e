package dev.sseauth.spring.boot.autoconfigure;

import dev.sseauth.SseAuthConfig;
import dev.sseauth.jdbc.JdbcStore;
import dev.sseauth.spi.SseAuthStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * The store {@code sseauth.store} names, on the application's own connections where it has them. Stateless.
 */
final class SpringStores {
  private static final String JDBC_URL = "sseauth.jdbc.url";
  private static final String REDIS_URI = "sseauth.redis.uri";

  private SpringStores() {}

  /**
   * With {@code sseauth.store=redis} and no {@code sseauth.redis.uri}, sets it from Spring Boot's
   * {@code spring.data.redis.url}, or its {@code host}, {@code port}, {@code username}, {@code password},
   * {@code database} and {@code ssl.enabled} (or {@code ssl.bundle}: TLS, trusting the JVM's trust store,
   * not the bundle's), if any of them is set.
   *
   * @throws IllegalArgumentException naming {@code sseauth.redis.uri} if Spring's settings name a Sentinel
   *     or a Cluster, which the store does not read
   */
  static void redisFromSpring(Map<String, String> settings, Environment env) {
    if (!"redis".equals(settings.get("sseauth.store")) || settings.containsKey(REDIS_URI)) {
      return;
    }
    for (String topology : new String[] {"spring.data.redis.sentinel.master", "spring.data.redis.cluster.nodes"}) {
      if (env.containsProperty(topology)) { // never connect elsewhere with the application's password
        throw new IllegalArgumentException(REDIS_URI + " must be set: sse-auth does not read " + topology);
      }
    }
    String url = env.getProperty("spring.data.redis.url");
    if (url != null && !url.isBlank()) {
      settings.put(REDIS_URI, url);
      return;
    }
    String host = env.getProperty("spring.data.redis.host");
    String port = env.getProperty("spring.data.redis.port");
    String user = env.getProperty("spring.data.redis.username");
    String password = env.getProperty("spring.data.redis.password");
    String database = env.getProperty("spring.data.redis.database");
    boolean ssl = env.getProperty("spring.data.redis.ssl.enabled", Boolean.class, false)
        || env.containsProperty("spring.data.redis.ssl.bundle"); // TLS, with the JVM's trust store
    if (host == null && port == null && user == null && password == null && database == null && !ssl) {
      return; // the store's own default
    }
    StringBuilder uri = new StringBuilder(ssl ? "rediss://" : "redis://");
    if (password != null) {
      uri.append(user == null ? "" : encode(user)).append(':').append(encode(password)).append('@');
    }
    uri.append(host == null ? "localhost" : host).append(':').append(port == null ? "6379" : port);
    if (database != null) {
      uri.append('/').append(database);
    }
    settings.put(REDIS_URI, uri.toString());
  }

  /**
   * With {@code sseauth.store=jdbc}, no {@code sseauth.jdbc.url} and one {@code DataSource} bean: the SQL
   * store on that data source, with the other {@code sseauth.jdbc.*} settings.
   */
  static Optional<SseAuthStore> jdbcOnDataSource(SseAuthConfig config, Supplier<DataSource> dataSource) {
    if (!"jdbc".equals(config.storeName()) || config.store() != null
        || config.storeProperties().containsKey(JDBC_URL)
        || !ClassUtils.isPresent("dev.sseauth.jdbc.JdbcStore", SpringStores.class.getClassLoader())) {
      return Optional.empty();
    }
    DataSource ds = dataSource.get();
    return ds == null ? Optional.empty() : Optional.of(Jdbc.store(config, ds));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Loaded only with the SQL store on the class path. */
  private static final class Jdbc {
    static SseAuthStore store(SseAuthConfig config, DataSource ds) {
      return JdbcStore.builder().settings(config.storeProperties()).dataSource(ds).clock(config.clock()).build();
    }
  }
}
