package dev.sseauth.demo;

import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.demo.internal.AccessTokens;
import dev.sseauth.demo.internal.Feed;
import dev.sseauth.demo.internal.JettyApp;
import dev.sseauth.demo.internal.NettyApp;
import dev.sseauth.demo.internal.StaticFiles;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * The sse-auth demo: "an existing app" (login, a JSON API, a live event feed) with sse-auth added, served
 * twice from one {@link SseAuth} (so a ticket from one server redeems on the other): by embedded Jetty 12
 * with the servlet adapter, and by Netty 4.2 with the Netty adapter. Both serve the same endpoints:
 *
 * <ul>
 *   <li>{@code POST /api/login} {@code {"username":"alice","password":"alice"}} gives
 *       {@code {"accessToken":"..."}}, a bearer token for the app's own API (users alice and bob);
 *   <li>{@code POST /sse/ticket} with {@code Authorization: Bearer <accessToken>} gives a ticket;
 *   <li>{@code GET /events} (guarded) is the live feed: a tick every second and posted messages, each
 *       with a sequence id, resuming after {@code Last-Event-ID};
 *   <li>{@code POST /api/messages} {@code {"text":"..."}}, {@code POST /api/logout-everywhere} and
 *       {@code POST /api/streams/drop} (bearer);
 *   <li>{@code GET /} the page, {@code GET /sse-auth.js} the helper.
 * </ul>
 *
 * <p>Settings: the demo's defaults ({@code sseauth.paths=/events}, a random signing secret per start),
 * overridden by {@code SSEAUTH_*} environment variables and {@code -Dsseauth.*} system properties, then
 * by {@link Builder#setting}. Thread-safe; {@link #close()} stops both servers.
 */
public final class DemoServer implements AutoCloseable {
  private final SseAuth auth;
  private final Feed feed;
  private final JettyApp jetty;
  private final NettyApp netty;
  private final String host;

  private DemoServer(Builder b) throws Exception {
    SecureRandom random = new SecureRandom();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("sseauth.paths", "/events");
    settings.put("sseauth.token.secret", randomSecret(random));
    settings.putAll(b.environment ? SseAuthConfig.fromEnvironment(System.getenv(), System.getProperties())
        : SseAuthConfig.fromEnvironment(Map.of(), new Properties()));
    settings.putAll(b.settings);
    byte[] appSecret = new byte[32];
    random.nextBytes(appSecret);
    AccessTokens tokens = new AccessTokens(appSecret, b.clock, b.accessTokenTtl);
    SseAuthConfig config = SseAuthConfig.fromMap(settings).toBuilder()
        .clock(b.clock)
        .bearerVerifier(tokens.verifier())
        .build();
    host = b.host;
    auth = SseAuth.create(config);
    feed = new Feed(b.clock, b.tickInterval);
    StaticFiles files = new StaticFiles();
    JettyApp j = null;
    try {
      j = new JettyApp(b.host, b.port, auth, tokens, feed, files);
      netty = new NettyApp(b.host, b.port == 0 ? 0 : b.port + 1, auth, tokens, feed, files);
      jetty = j;
    } catch (Exception | Error e) {
      if (j != null) {
        j.close();
      }
      feed.close();
      auth.close();
      throw e;
    }
  }

  private static String randomSecret(SecureRandom random) {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A builder: port 8080, the system clock, a tick every second, environment settings read. */
  public static Builder builder() {
    return new Builder();
  }

  /** The Jetty (servlet adapter) server's base URI, such as {@code http://localhost:8080/}. */
  public URI servletUri() {
    return URI.create("http://" + host(host) + ":" + jetty.port() + "/");
  }

  /** The Netty server's base URI: the servlet port + 1, or any free port if the servlet port was 0. */
  public URI nettyUri() {
    return URI.create("http://" + host(host) + ":" + netty.port() + "/");
  }

  private static String host(String h) {
    return h.equals("127.0.0.1") || h.equals("0.0.0.0") ? "localhost" : h;
  }

  /** The shared core, for revocation and inspection. */
  public SseAuth auth() {
    return auth;
  }

  /** Ends every open event stream at once, as a network failure would; browsers reconnect by themselves. */
  public int dropStreams() {
    return feed.drop(null);
  }

  /** The number of open event streams on both servers. */
  public int openStreams() {
    return feed.openStreams();
  }

  /** Stops both servers, the feed and the core. Idempotent. */
  @Override
  public void close() throws Exception {
    try {
      feed.close();
      netty.close();
      jetty.close();
    } finally {
      auth.close();
    }
  }

  /** Builds and starts a {@link DemoServer}. Not thread-safe. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 8080;
    private Clock clock = Clock.systemUTC();
    private Duration tickInterval = Duration.ofSeconds(1);
    private Duration accessTokenTtl = Duration.ofHours(8);
    private boolean environment = true;
    private final Map<String, String> settings = new LinkedHashMap<>();

    private Builder() {}

    /** The address to bind, 127.0.0.1 by default. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /**
     * The servlet port; Netty listens on port + 1. 0 binds both to any free port.
     *
     * @throws IllegalArgumentException if not 0 to 65534
     */
    public Builder port(int port) {
      if (port < 0 || port > 65534) {
        throw new IllegalArgumentException("port must be between 0 and 65534 (Netty uses port + 1), but was " + port);
      }
      this.port = port;
      return this;
    }

    /** The clock for every time decision (tests advance one). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How often the feed ticks, 10ms to 1h. */
    public Builder tickInterval(Duration interval) {
      if (interval.toMillis() < 10 || interval.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("tick interval must be between 10ms and 1h, but was " + interval);
      }
      this.tickInterval = interval;
      return this;
    }

    /** Whether {@code SSEAUTH_*} environment variables and {@code -Dsseauth.*} properties apply (default true). */
    public Builder readEnvironment(boolean read) {
      this.environment = read;
      return this;
    }

    /** Sets one {@code sseauth.*} key, over the environment. */
    public Builder setting(String key, String value) {
      settings.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Starts both servers.
     *
     * @throws IllegalArgumentException on a bad {@code sseauth.*} setting, naming key and value
     * @throws Exception if a server cannot start (such as a port in use)
     */
    public DemoServer start() throws Exception {
      return new DemoServer(this);
    }
  }
}
