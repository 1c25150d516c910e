package dev.sseauth.servlet.internal;

import dev.sseauth.adapter.StreamRequest;

/** Header value decoding. Stateless. */
public final class Headers {
  private Headers() {}

  /**
   * Browsers send {@code Last-Event-ID} as UTF-8 bytes; containers decode header bytes as ISO-8859-1.
   * See {@link StreamRequest#utf8Header}: malformed UTF-8 gives a value that never validates.
   */
  public static String utf8(String value) {
    return StreamRequest.utf8Header(value);
  }
}
