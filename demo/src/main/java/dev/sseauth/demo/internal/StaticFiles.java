package dev.sseauth.demo.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The page and its assets from the class path: {@code /} is {@code demo-static/index.html},
 * {@code /sse-auth.js} is the helper shipped in the core's jar
 * ({@code META-INF/resources/sse-auth.js}), and {@code /x/y.z} is {@code demo-static/x/y.z}. Thread-safe.
 */
public final class StaticFiles {
  /** A file: its bytes and content type. */
  public record File(byte[] bytes, String contentType) {}

  private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "png", "image/png",
      "svg", "image/svg+xml", "json", "application/json", "ico", "image/x-icon");

  private final Map<String, File> cache = new ConcurrentHashMap<>();

  /** The file for a request path, or null if there is none (or the path is not a plain file name). */
  public File get(String path) {
    String resource;
    if (path.equals("/") || path.equals("/index.html")) {
      resource = "demo-static/index.html";
    } else if (path.equals("/sse-auth.js")) {
      resource = "META-INF/resources/sse-auth.js";
    } else if (path.matches("(/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}){1,3}") && !path.contains("..")) {
      resource = "demo-static" + path;
    } else {
      return null;
    }
    File cached = cache.get(resource);
    if (cached != null) {
      return cached;
    }
    int dot = resource.lastIndexOf('.');
    String type = dot < 0 ? null : TYPES.get(resource.substring(dot + 1));
    if (type == null) {
      return null;
    }
    try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return null;
      }
      File f = new File(in.readAllBytes(), type);
      cache.put(resource, f);
      return f;
    } catch (IOException e) {
      return null;
    }
  }
}
