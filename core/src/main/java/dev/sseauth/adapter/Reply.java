package dev.sseauth.adapter;

import java.util.List;
import java.util.Objects;

/**
 * A complete HTTP response decided by the core: an adapter sends its {@link #status()}, every one of its
 * {@link #headers()} and its {@link #body()}, and nothing else; the application never runs. The headers
 * include {@code Content-Type}, {@code Content-Length} and {@code Cache-Control}, and {@code Connection:
 * close} when the connection must not be reused.
 *
 * <p>Immutable and thread-safe. The body is plain text or an event stream and never holds anything the
 * client sent; it may hold a ticket or a session token (a ticket answer, a handshake), so never log it.
 */
public final class Reply {
  private final int status;
  private final List<Header> headers;
  private final byte[] body;

  /**
   * @param status the HTTP status
   * @param headers the response headers, in order; copied
   * @param body the response body; copied
   * @throws NullPointerException if headers or body is null
   * @throws IllegalArgumentException if status is not between 100 and 599
   */
  public Reply(int status, List<Header> headers, byte[] body) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status " + status);
    }
    this.status = status;
    this.headers = List.copyOf(headers);
    this.body = body.clone();
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** Every header to send, in order; never null. */
  public List<Header> headers() {
    return headers;
  }

  /** The value of the first header named {@code name} (ignoring case), or null if there is none. */
  public String header(String name) {
    for (Header h : headers) {
      if (h.name().equalsIgnoreCase(name)) {
        return h.value();
      }
    }
    return null;
  }

  /** The body; a fresh copy, never null. */
  public byte[] body() {
    return body.clone();
  }

  /** Whether the adapter must close the connection after this response. */
  public boolean closesConnection() {
    return "close".equalsIgnoreCase(header(Header.CONNECTION));
  }

  @Override
  public String toString() {
    return "Reply[status=" + status + ", bodyBytes=" + body.length + "]";
  }

  /**
   * One HTTP header. In {@link Allowed#streamHeaders} a null {@code value} means the header is removed.
   *
   * @param name the header name; never null
   * @param value the value, or null for a header to remove
   */
  public record Header(String name, String value) {
    /** The header whose bytes the core reads and the application sees rewritten. */
    public static final String LAST_EVENT_ID = "Last-Event-ID";
    /** The header whose origins {@code sseauth.origins} allows. */
    public static final String ORIGIN = "Origin";
    /** Carries the client's bearer token to the ticket endpoint. */
    public static final String AUTHORIZATION = "Authorization";
    /** The response header {@link Allowed#rewrites} reads the media type from. */
    public static final String CONTENT_TYPE = "Content-Type";
    static final String CONNECTION = "Connection";

    /** @throws NullPointerException if name is null */
    public Header {
      Objects.requireNonNull(name, "name");
    }
  }
}
