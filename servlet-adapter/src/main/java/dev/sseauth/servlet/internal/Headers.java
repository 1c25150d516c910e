package dev.sseauth.servlet.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Header value decoding. Stateless. */
public final class Headers {
  private Headers() {}

  /**
   * Browsers send {@code Last-Event-ID} as UTF-8 bytes; some containers decode header bytes as
   * ISO-8859-1. A value whose characters are all below U+0100 and whose bytes form valid UTF-8 with
   * at least one multi-byte sequence is re-read as UTF-8; any other value is returned unchanged.
   */
  public static String utf8(String value) {
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
      return value;
    }
  }
}
