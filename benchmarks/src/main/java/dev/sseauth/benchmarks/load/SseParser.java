package dev.sseauth.benchmarks.load;

import java.nio.charset.StandardCharsets;

/**
 * The {@code text/event-stream} parser of one connection (WHATWG HTML, "Event stream interpretation"):
 * lines end in CR, LF or CRLF; {@code id} (without NUL) and {@code retry} (digits only) are honoured; a
 * blank line dispatches: the stream's last event ID becomes the id buffer, and an event whose data starts
 * with the application's marker ({@link Wire#APP_DATA}) counts as an application event. As browsers do,
 * the id buffer starts from the last event ID of the previous connection. Not thread-safe.
 */
final class SseParser {
  /** What the parser reports. */
  interface Events {
    /** A dispatched event set the last event ID to {@code id} (possibly unchanged). */
    void lastEventId(String id);

    /** A {@code retry:} field set the reconnection time. */
    void retry(long ms);

    /** An application event was dispatched. */
    void appEvent();
  }

  private static final byte[] APP = Wire.APP_DATA.substring("data: ".length()).getBytes(StandardCharsets.US_ASCII);
  private final Events events;
  private final byte[] line = new byte[4096];
  private int len;
  private boolean overlong;
  private boolean afterCr;
  private boolean data;
  private boolean appData;
  private String idBuffer;

  /** A parser whose id buffer starts as {@code lastEventId} (null for none). */
  SseParser(String lastEventId, Events events) {
    this.idBuffer = lastEventId;
    this.events = events;
  }

  /** Feeds body bytes (after any transfer decoding). */
  void feed(byte[] b, int off, int n) {
    for (int i = off; i < off + n; i++) {
      byte c = b[i];
      if (c == '\n' && afterCr) {
        afterCr = false;
        continue;
      }
      afterCr = c == '\r';
      if (c == '\n' || c == '\r') {
        line();
        len = 0;
        overlong = false;
      } else if (len < line.length) {
        line[len++] = c;
      } else {
        overlong = true;
      }
    }
  }

  private void line() {
    if (len == 0) {
      dispatch();
      return;
    }
    if (overlong || line[0] == ':') {
      return;
    }
    int colon = 0;
    while (colon < len && line[colon] != ':') {
      colon++;
    }
    int v = colon < len ? colon + 1 : len;
    if (v < len && line[v] == ' ') {
      v++;
    }
    if (is("data", colon)) {
      if (!data) {
        appData = startsWith(v, APP);
      }
      data = true;
    } else if (is("id", colon)) {
      String id = new String(line, v, len - v, StandardCharsets.UTF_8);
      if (id.indexOf('\0') < 0) {
        idBuffer = id;
      }
    } else if (is("retry", colon)) {
      if (v < len && len - v < 10 && allDigits(v)) {
        events.retry(Long.parseLong(new String(line, v, len - v, StandardCharsets.US_ASCII)));
      }
    }
  }

  private boolean is(String field, int colon) {
    if (colon != field.length()) {
      return false;
    }
    for (int i = 0; i < colon; i++) {
      if (line[i] != field.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private boolean startsWith(int from, byte[] prefix) {
    if (len - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (line[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private boolean allDigits(int from) {
    for (int i = from; i < len; i++) {
      if (line[i] < '0' || line[i] > '9') {
        return false;
      }
    }
    return true;
  }

  private void dispatch() {
    if (idBuffer != null) {
      events.lastEventId(idBuffer);
    }
    boolean app = data && appData;
    data = false;
    appData = false;
    if (app) {
      events.appEvent();
    }
  }
}
