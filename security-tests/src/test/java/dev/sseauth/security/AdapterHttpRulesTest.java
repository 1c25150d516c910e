package dev.sseauth.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.Reason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every HTTP rule lives in the core: an adapter's main code names no HTTP status, no header the core
 * decides and no refusal text. It renders what the core hands it (a {@code Reply}, the stream headers,
 * the header-name constants) and nothing more, so the adapters cannot drift apart.
 */
class AdapterHttpRulesTest {
  private static final List<Path> ADAPTERS = List.of(Path.of("..", "servlet-adapter", "src", "main", "java"),
      Path.of("..", "netty-adapter", "src", "main", "java"), Path.of("..", "webflux-adapter", "src", "main", "java"));

  /** A string literal. */
  private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
  /**
   * A Netty status or header constant, a status number, a servlet status call; Spring's status, header,
   * media-type and method constants, a numeric raw status, and the WebFlux exceptions that answer with a
   * status of their own. Interim responses (1xx, of which 101 ends HTTP on the connection) are the
   * transport's framing, not a decision: allowed.
   */
  private static final Pattern FORBIDDEN_CODE = Pattern.compile(
      "HttpResponseStatus\\.(?!valueOf\\b|SWITCHING_PROTOCOLS\\b)[A-Z_]+|HttpHeaderNames\\.[A-Z_]+|HttpHeaderValues\\.[A-Z_]+"
          + "|HttpMethod\\.[A-Z]+|\\bsetStatus\\(\\s*\\d|\\bsendError\\(|SC_[A-Z_]+"
          + "|\\bHttpStatus\\.(?!SWITCHING_PROTOCOLS\\b)[A-Z_]+|\\bHttpHeaders\\.[A-Z_]+|\\bMediaType\\.[A-Z_]+"
          + "|\\bsetRawStatusCode\\(\\s*\\d|\\b(?:ResponseStatus|MethodNotAllowed|NotAcceptableStatus|UnsupportedMediaTypeStatus"
          + "|ServerWebInput|ServerError|PayloadTooLarge)Exception\\b"
          + "|(?<![\\w.])(?:200|204|400|401|403|404|405|414|429|431|500|503)(?![\\w.])");
  private static final List<String> CORE_HEADERS = List.of("cache-control", "content-length", "content-type",
      "www-authenticate", "allow", "last-event-id", "origin", "authorization", "connection",
      "text/event-stream", "text/plain", "application/json", "no-store", "bearer", "get", "post");

  private static List<Path> sources() {
    List<Path> all = new ArrayList<>();
    for (Path root : ADAPTERS) {
      assertThat(root).isDirectory();
      try (Stream<Path> s = Files.walk(root)) {
        s.filter(p -> p.toString().endsWith(".java")).forEach(all::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    assertThat(all).hasSizeGreaterThan(5);
    return all;
  }

  /** The code of a source file without its comments; a block comment keeps its line breaks, so line numbers hold. */
  private static String code(Path p) throws IOException {
    Matcher comment = Pattern.compile("(?s)/\\*.*?\\*/").matcher(Files.readString(p));
    StringBuilder s = new StringBuilder();
    while (comment.find()) {
      comment.appendReplacement(s, " " + comment.group().replaceAll("[^\n]", ""));
    }
    comment.appendTail(s);
    return s.toString().replaceAll("(?m)//.*$", " ");
  }

  @Test
  void adaptersNameNoHttpStatusHeaderOrRefusalText() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path p : sources()) {
      String[] lines = code(p).split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        String line = lines[i];
        Matcher code = FORBIDDEN_CODE.matcher(line.replaceAll(LITERAL.pattern(), "\"\""));
        while (code.find()) {
          found.add(p.getFileName() + ":" + (i + 1) + " " + code.group());
        }
        Matcher lit = LITERAL.matcher(line);
        while (lit.find()) {
          String text = lit.group(1).toLowerCase(Locale.ROOT);
          for (String h : CORE_HEADERS) {
            if (text.equals(h) || text.startsWith(h + ";") || text.startsWith(h + ":")) {
              found.add(p.getFileName() + ":" + (i + 1) + " \"" + lit.group(1) + "\"");
            }
          }
          for (Reason r : Reason.values()) {
            if (!text.isEmpty() && r.message().toLowerCase(Locale.ROOT).contains(text) && text.length() > 8) {
              found.add(p.getFileName() + ":" + (i + 1) + " refusal text \"" + lit.group(1) + "\"");
            }
          }
        }
      }
    }
    assertThat(found).as("HTTP rules written in an adapter instead of taken from the core").isEmpty();
  }

  @Test
  void theScanFindsWhatItLooksFor() {
    String bad = "r.setStatus(401); h.set(HttpHeaderNames.ALLOW, \"GET\"); x(\"Cache-Control\", \"no-store\");";
    Matcher code = FORBIDDEN_CODE.matcher(bad.replaceAll(LITERAL.pattern(), "\"\""));
    List<String> hits = new ArrayList<>();
    while (code.find()) {
      hits.add(code.group());
    }
    assertThat(hits).containsExactly("setStatus(4", "HttpHeaderNames.ALLOW");
    assertThat(FORBIDDEN_CODE.matcher("int s = 503;").find()).isTrue();
    assertThat(FORBIDDEN_CODE.matcher("HttpResponseStatus.valueOf(reply.status())").find()).isFalse();
    assertThat(FORBIDDEN_CODE.matcher("new byte[4005]").find()).isFalse();
    // Spring WebFlux's forms
    String spring = "r.setStatusCode(HttpStatus.UNAUTHORIZED); h.set(HttpHeaders.CACHE_CONTROL, v); h.setContentType("
        + "MediaType.TEXT_EVENT_STREAM); r.setRawStatusCode(405); throw new ResponseStatusException(s);";
    Matcher springCode = FORBIDDEN_CODE.matcher(spring);
    List<String> springHits = new ArrayList<>();
    while (springCode.find()) {
      springHits.add(springCode.group());
    }
    assertThat(springHits).containsExactly("HttpStatus.UNAUTHORIZED", "HttpHeaders.CACHE_CONTROL", "MediaType.TEXT_EVENT_STREAM",
        "setRawStatusCode(4", "ResponseStatusException");
    assertThat(FORBIDDEN_CODE.matcher("response.setStatusCode(HttpStatusCode.valueOf(reply.status()))").find()).isFalse();
    assertThat(FORBIDDEN_CODE.matcher("HttpHeaders headers = response.getHeaders();").find()).isFalse();
  }
}
