package dev.sseauth;

import java.util.Objects;

/**
 * The facts of a request to a guarded stream, as an adapter reads them from its framework.
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

  /** A GET request. */
  public static StreamRequest get(String rawQuery, String lastEventId, String origin) {
    return new StreamRequest("GET", rawQuery, lastEventId, origin);
  }
}
