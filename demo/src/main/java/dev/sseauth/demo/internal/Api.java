package dev.sseauth.demo.internal;

import dev.sseauth.SseAuth;
import dev.sseauth.SsePrincipal;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The demo app's JSON API, framework-neutral so the Jetty and Netty servers share it: login, posting
 * messages, log out everywhere, and dropping one's own streams (to watch a reconnect). Thread-safe.
 */
public final class Api {
  /** An answer: status and JSON body. */
  public record Reply(int status, String json) {
    /** Whether a {@code WWW-Authenticate: Bearer} header goes with it. */
    public boolean challenge() {
      return status == 401;
    }
  }

  private static final int MAX_TEXT = 500;

  private final AccessTokens tokens;
  private final SseAuth auth;
  private final Feed feed;
  private final String server;

  /** @param server a name for {@code /api/info}, such as "Jetty 12 (servlet adapter)" */
  public Api(AccessTokens tokens, SseAuth auth, Feed feed, String server) {
    this.tokens = tokens;
    this.auth = auth;
    this.feed = feed;
    this.server = server;
  }

  /** Whether {@code path} belongs to this API. */
  public static boolean owns(String path) {
    return path.startsWith("/api/");
  }

  /**
   * Handles one API request.
   *
   * @param authorization the {@code Authorization} header, or null
   * @param body the request body as text, or null
   */
  public CompletionStage<Reply> handle(String method, String path, String authorization, String body) {
    try {
      return switch (path) {
        case "/api/info" -> get(method, () -> done(200, "{\"server\":" + Json.str(server) + ",\"users\":[\"alice\",\"bob\"]}"));
        case "/api/login" -> post(method, () -> login(body));
        case "/api/messages" -> post(method, () -> authed(authorization, p -> message(p, body)));
        case "/api/logout-everywhere" -> post(method, () -> authed(authorization, this::logoutEverywhere));
        case "/api/streams/drop" -> post(method, () -> authed(authorization,
            p -> done(200, "{\"dropped\":" + feed.drop(p.subject()) + "}")));
        default -> done(404, "{\"error\":\"not found\"}");
      };
    } catch (IllegalArgumentException e) {
      return done(400, "{\"error\":" + Json.str("bad request: " + e.getMessage()) + "}");
    }
  }

  private CompletionStage<Reply> login(String body) {
    Map<String, String> m = Json.parseObject(body);
    Optional<String> token = tokens.login(m.get("username"), m.get("password"));
    if (token.isEmpty()) {
      return done(401, "{\"error\":\"wrong username or password\"}");
    }
    return done(200, "{\"accessToken\":" + Json.str(token.get()) + ",\"tokenType\":\"Bearer\",\"expiresIn\":"
        + tokens.ttl().toSeconds() + ",\"user\":" + Json.str(m.get("username")) + "}");
  }

  private CompletionStage<Reply> message(SsePrincipal p, String body) {
    String text = Json.parseObject(body).get("text");
    if (text == null || text.isBlank() || text.length() > MAX_TEXT) {
      return done(400, "{\"error\":\"text must be 1 to " + MAX_TEXT + " characters\"}");
    }
    long id = feed.postMessage(p.subject(), text.strip());
    return done(200, "{\"id\":" + id + "}");
  }

  private CompletionStage<Reply> logoutEverywhere(SsePrincipal p) {
    tokens.logoutEverywhere(p.subject()); // the app's own access tokens: no new tickets
    return auth.revokeSubject(p.subject()) // sse-auth: live streams end, tokens stop verifying
        .handle((v, e) -> e == null ? new Reply(200, "{\"revoked\":" + Json.str(p.subject()) + "}")
            : new Reply(503, "{\"error\":\"the session store is unavailable\"}"));
  }

  private CompletionStage<Reply> authed(String authorization, java.util.function.Function<SsePrincipal, CompletionStage<Reply>> then) {
    SsePrincipal p = tokens.principal(authorization);
    return p == null ? done(401, "{\"error\":\"log in first\"}") : then.apply(p);
  }

  private static CompletionStage<Reply> get(String method, java.util.function.Supplier<CompletionStage<Reply>> then) {
    return "GET".equals(method) ? then.get() : done(405, "{\"error\":\"use GET\"}");
  }

  private static CompletionStage<Reply> post(String method, java.util.function.Supplier<CompletionStage<Reply>> then) {
    return "POST".equals(method) ? then.get() : done(405, "{\"error\":\"use POST\"}");
  }

  private static CompletionStage<Reply> done(int status, String json) {
    return CompletableFuture.completedFuture(new Reply(status, json));
  }
}
