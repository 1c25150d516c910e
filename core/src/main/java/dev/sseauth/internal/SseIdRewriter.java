package dev.sseauth.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Rewrites an application's {@code text/event-stream} bytes on their way to the client: every
 * {@code id} field becomes {@code id: <token><sep><appId>}; every other byte passes unchanged. It is
 * incremental (any split of the stream into {@link #rewrite} calls gives the same bytes), follows the
 * WHATWG line rules (LF, CRLF and CR endings, comments, a field named {@code id} with or without a
 * colon, one optional space after the colon), and remembers the last id the application wrote so that
 * {@link #rotate} can emit a silent event carrying a fresh token: {@code event: <unlistened>},
 * {@code id: <token><sep><lastId>}, an empty {@code data:} (Firefox discards id-only blocks).
 *
 * <p>Not thread-safe: one instance per response, called under the response's write serialisation.
 * Allocates nothing per event beyond growing its id buffers.
 *
 * @see <a href="https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation">WHATWG: event stream interpretation</a>
 */
public final class SseIdRewriter {
  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final byte[] BOM_BYTES = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
  private static final byte[] I = {'i'};
  private static final byte[] ID = {'i', 'd'};
  private static final byte[] DATA_END = "\ndata:\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EMPTY = new byte[0];

  private static final int BOM = 0;
  private static final int LINE_START = 1;
  private static final int NAME_I = 2;
  private static final int NAME_ID = 3;
  private static final int ID_SPACE = 4;
  private static final int ID_VALUE = 5;
  private static final int PASS = 6;

  private final char separator;
  private final byte[] rotationHead;
  private byte[] idPrefix;
  private int mode = BOM;
  private int bomMatched;
  private boolean dropBom;
  private boolean afterCr;
  private boolean eventOpen;
  private boolean rotationPending;
  private boolean injectAfterCr;
  private byte[] idBuf = new byte[32];
  private int idLen;
  private boolean idHasNul;
  private byte[] lastId;
  private int lastIdLen;

  /**
   * @param wireToken the session token in wire form
   * @param separator the composite id separator
   * @param previousId the application's id the client resumes after; the rotation event's id until
   *     the application writes one
   * @param rotationEvent the event name of rotation events
   * @param afterHandshake whether bytes were written before the application's: a leading BOM of the
   *     application's stream is then dropped (browsers strip a BOM only at the very start)
   */
  public SseIdRewriter(String wireToken, char separator, String previousId, String rotationEvent, boolean afterHandshake) {
    this.separator = separator;
    this.rotationHead = ("event: " + rotationEvent + "\n").getBytes(StandardCharsets.US_ASCII);
    this.idPrefix = prefix(wireToken);
    this.lastId = previousId.getBytes(StandardCharsets.UTF_8);
    this.lastIdLen = lastId.length;
    this.dropBom = afterHandshake;
  }

  private byte[] prefix(String wireToken) {
    return ("id: " + wireToken + separator).getBytes(StandardCharsets.US_ASCII);
  }

  /** Rewrites {@code len} bytes of {@code b} from {@code off} to {@code out}. */
  public void rewrite(byte[] b, int off, int len, OutputStream out) throws IOException {
    int end = off + len;
    int run = off; // start of bytes not yet written through
    for (int i = off; i < end; i++) {
      byte c = b[i];
      switch (mode) {
        case PASS -> {
          while (c != CR && c != LF) {
            if (++i == end) {
              break;
            }
            c = b[i];
          }
          if (i < end) {
            mode = LINE_START;
            afterCr = c == CR;
          }
        }
        case ID_VALUE -> {
          int start = i;
          while (c != CR && c != LF) {
            if (c == 0) {
              idHasNul = true;
            }
            if (++i == end) {
              break;
            }
            c = b[i];
          }
          appendId(b, start, i - start);
          if (i < end) {
            commitId();
            mode = LINE_START;
            afterCr = c == CR;
          }
        }
        case LINE_START -> {
          if (afterCr) {
            afterCr = false;
            if (c == LF) { // the LF of a CRLF
              if (injectAfterCr) {
                out.write(b, run, i + 1 - run);
                run = i + 1;
                injectRotation(out);
              }
              continue;
            }
          }
          if (injectAfterCr) {
            out.write(b, run, i - run);
            run = i;
            injectRotation(out);
          }
          if (c == CR || c == LF) { // blank line: the event is dispatched
            eventOpen = false;
            if (rotationPending) {
              if (c == LF) {
                out.write(b, run, i + 1 - run);
                run = i + 1;
                injectRotation(out);
              } else {
                injectAfterCr = true;
              }
            }
            afterCr = c == CR;
          } else if (c == ':') {
            mode = PASS; // comment
          } else if (c == 'i') {
            out.write(b, run, i - run);
            run = i + 1; // held back until we know whether the field is "id"
            mode = NAME_I;
          } else {
            eventOpen = true;
            mode = PASS;
          }
        }
        case NAME_I -> {
          if (c == 'd') {
            run = i + 1;
            mode = NAME_ID;
          } else {
            out.write(I);
            run = i;
            eventOpen = true;
            mode = PASS;
            i--;
          }
        }
        case NAME_ID -> {
          eventOpen = true;
          if (c == ':') {
            out.write(idPrefix);
            idLen = 0;
            idHasNul = false;
            run = i + 1;
            mode = ID_SPACE;
          } else if (c == CR || c == LF) { // "id" with no colon: an empty id
            out.write(idPrefix);
            idLen = 0;
            idHasNul = false;
            commitId();
            run = i;
            mode = PASS;
            i--;
          } else {
            out.write(ID);
            run = i;
            mode = PASS;
            i--;
          }
        }
        case ID_SPACE -> {
          mode = ID_VALUE;
          if (c == ' ') {
            run = i + 1;
          } else {
            i--;
          }
        }
        default -> { // BOM
          if (c == BOM_BYTES[bomMatched]) {
            out.write(b, run, i - run);
            run = i + 1;
            if (++bomMatched == BOM_BYTES.length) {
              if (!dropBom) {
                out.write(BOM_BYTES);
              }
              mode = LINE_START;
            }
          } else {
            if (bomMatched > 0) { // not a BOM after all: the held bytes start an ordinary line
              out.write(BOM_BYTES, 0, bomMatched);
              eventOpen = true;
              mode = PASS;
            } else {
              mode = LINE_START;
            }
            run = i;
            i--;
          }
        }
      }
    }
    if (run < end) {
      out.write(b, run, end - run);
    }
    if (injectAfterCr) { // a CR ended the chunk: don't wait for an LF that may never come
      injectRotation(out);
    }
  }

  /**
   * Switches to a new token: every later id carries it. Returns the silent rotation event to write
   * now if the stream is between events, else an empty array and the event is written at the next
   * event boundary.
   */
  public byte[] rotate(String wireToken) {
    idPrefix = prefix(wireToken);
    if (atBoundary()) {
      if (mode == BOM) {
        dropBom = true;
      }
      afterCr = false;
      rotationPending = false;
      injectAfterCr = false;
      return rotationEvent();
    }
    rotationPending = true;
    return EMPTY;
  }

  /** Whether the stream is between events, where an event of ours may be written. */
  public boolean atBoundary() {
    return ((mode == LINE_START && !eventOpen) || (mode == BOM && bomMatched == 0)) && !injectAfterCr;
  }

  /** The last id the application wrote (or the previous id it resumed after), as UTF-8 text. */
  public String lastId() {
    return new String(lastId, 0, lastIdLen, StandardCharsets.UTF_8);
  }

  private void injectRotation(OutputStream out) throws IOException {
    out.write(rotationEvent());
    rotationPending = false;
    injectAfterCr = false;
    afterCr = false;
  }

  private byte[] rotationEvent() {
    byte[] ev = new byte[rotationHead.length + idPrefix.length + lastIdLen + DATA_END.length];
    int p = 0;
    System.arraycopy(rotationHead, 0, ev, p, rotationHead.length);
    p += rotationHead.length;
    System.arraycopy(idPrefix, 0, ev, p, idPrefix.length);
    p += idPrefix.length;
    System.arraycopy(lastId, 0, ev, p, lastIdLen);
    p += lastIdLen;
    System.arraycopy(DATA_END, 0, ev, p, DATA_END.length);
    return ev;
  }

  private void appendId(byte[] b, int off, int len) {
    if (idLen + len > idBuf.length) {
      idBuf = Arrays.copyOf(idBuf, Math.max(idBuf.length * 2, idLen + len));
    }
    System.arraycopy(b, off, idBuf, idLen, len);
    idLen += len;
  }

  private void commitId() {
    if (idHasNul) {
      return; // browsers ignore an id containing NUL: so do we
    }
    byte[] t = lastId;
    lastId = idBuf;
    lastIdLen = idLen;
    idBuf = t.length >= 32 ? t : new byte[32];
    idLen = 0;
  }
}
