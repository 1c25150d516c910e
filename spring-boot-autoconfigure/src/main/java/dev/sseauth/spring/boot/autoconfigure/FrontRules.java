package dev.sseauth.spring.boot.autoconfigure;

import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.springframework.util.AntPathMatcher;

/**
 * What the servlet and the reactive front filter share: the browser helper they serve, the route name of a
 * request sse-auth may answer itself, and what a CORS preflight looks like. Immutable and thread-safe.
 */
final class FrontRules {
  /** Where the front filters serve the browser helper. */
  static final String SCRIPT_PATH = "/sse-auth.js";
  /** The helper's response headers besides its type and length. */
  static final List<String[]> SCRIPT_HEADERS = List.of(new String[] {"X-Content-Type-Options", "nosniff"},
      new String[] {"Cache-Control", "public, max-age=300"});
  static final String SCRIPT_TYPE = "text/javascript;charset=UTF-8";

  private final SseAuthConfig config;
  private final byte[] script;
  private final AntPathMatcher patterns = new AntPathMatcher();

  FrontRules(SseAuthConfig config) {
    this.config = config;
    this.script = readScript();
  }

  /** The helper's bytes; do not modify the array. */
  byte[] script() {
    return script;
  }

  /** Whether a request for {@code path} with {@code method} asks for the helper. */
  static boolean isScript(String method, String path) {
    return SCRIPT_PATH.equals(path) && ("GET".equals(method) || "HEAD".equals(method));
  }

  /** Whether a request is a CORS preflight, which carries no credential and is the application's to answer. */
  static boolean isPreflight(String method, String accessControlRequestMethod) {
    return "OPTIONS".equals(method) && accessControlRequestMethod != null;
  }

  /**
   * The route tag of a request sse-auth may answer itself (the ticket path, or the first {@code sseauth.paths}
   * pattern the path matches), or null for any other request; the application's handler overrides it.
   */
  String route(String path) {
    if (config.ticketPath().equals(path)) {
      return config.ticketPath();
    }
    if (config.guards(path)) {
      return config.paths().stream().filter(p -> patterns.match(p, path)).findFirst().orElse(config.paths().get(0));
    }
    return null;
  }

  private static byte[] readScript() {
    try (InputStream in = SseAuth.class.getResourceAsStream("/META-INF/resources" + SCRIPT_PATH)) {
      if (in == null) {
        throw new IllegalStateException("sse-auth.js is missing from the core's jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
