package dev.sseauth.adapter;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/**
 * The facts of a request to a guarded stream, as an adapter reads them from its framework.
 * {@link #toString()} shows the method, the origin and whether a query and a {@code Last-Event-ID} are
 * present, never their values (a ticket, a session token).
 *
 * @param method the HTTP method, such as {@code GET}; never null
 * @param rawQuery the query string as received, still percent-encoded, without {@code ?}; null if none
 * @param lastEventId the {@code Last-Event-ID} header as the server decoded it; null if absent
 * @param origin the {@code Origin} header; null if absent
 */
public record StreamRequest(String method, String rawQuery, String lastEventId, String origin) {
  /** @throws NullPointerException if method is null */
  public StreamRequest {
    Objects.requireNonNull(method, "method");
  }

  /**
   * Re-reads a header value as UTF-8, the way browsers send {@code Last-Event-ID}. Servers such as
   * Netty, Jetty and Tomcat decode header bytes one byte per char (ISO-8859-1): a value whose chars are
   * all below U+0100 is taken as those bytes and decoded as UTF-8. A value holding a char above U+00FF
   * was decoded by the server already and is returned unchanged.
   *
   * @param value the header as the server decoded it; null if absent
   * @return the decoded value; null if {@code value} is null; a value that never validates (a single
   *     U+0000) if the bytes are not well-formed UTF-8, so the request is refused rather than shown to
   *     the application with a garbled id
   */
  public static String utf8Header(String value) {
    if (value == null) {
      return null;
    }
    boolean high = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c > 0xFF) {
        return value;
      }
      high |= c >= 0x80;
    }
    if (!high) {
      return value;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value.getBytes(StandardCharsets.ISO_8859_1)))
          .toString();
    } catch (CharacterCodingException e) {
      return "\0";
    }
  }

  @Override
  public String toString() {
    return "StreamRequest[method=" + method + ", query=" + (rawQuery == null ? "absent" : "present")
        + ", lastEventId=" + (lastEventId == null ? "absent" : "present")
        + ", origin=" + (origin == null ? "absent" : origin) + "]";
  }

  /**
   * The facts of a request as an adapter reads them: {@code headers} looks up a request header by name
   * (ignoring case) and returns null when it is absent. Reads {@link Reply.Header#LAST_EVENT_ID}, re-read
   * as UTF-8 ({@link #utf8Header}), and {@link Reply.Header#ORIGIN}.
   *
   * @param method the HTTP method; never null
   * @param rawQuery the query as received, without {@code ?}; null if none
   * @param headers the request's headers; never null
   * @throws NullPointerException if method or headers is null
   */
  public static StreamRequest of(String method, String rawQuery, Function<String, String> headers) {
    return new StreamRequest(method, rawQuery, utf8Header(headers.apply(Reply.Header.LAST_EVENT_ID)),
        headers.apply(Reply.Header.ORIGIN));
  }

  /** A GET request. */
  public static StreamRequest get(String rawQuery, String lastEventId, String origin) {
    return new StreamRequest("GET", rawQuery, lastEventId, origin);
  }
}
