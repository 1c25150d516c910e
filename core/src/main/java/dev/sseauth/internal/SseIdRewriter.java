package dev.sseauth.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
 * <p>Writes to the output stream as few times as it can: the application's bytes go out as runs of the
 * input, cut only where a token prefix goes in. Per call, each id field costs at most two writes (the
 * run of input before it, and the prefix; one write when that run is at most {@link #ROOM} bytes,
 * copied in front of the prefix), and the input after the last id field one more. So a call holding one
 * event costs two writes when at most {@link #ROOM} bytes precede its id field (three otherwise), and a
 * call holding many events at most two per event. The only other writes are a rotation event (one
 * write, and the run before it) and, once at the start of a stream split inside a byte order mark, the
 * held BOM bytes. Lines that are not id fields are scanned for their end eight bytes at a time.
 *
 * <p>Not thread-safe: one instance per response, called under the response's write serialisation.
 * Allocates nothing per event beyond growing its id buffers; keeps one prefix array per stream, made
 * again only when the token rotates. After the output stream throws, the rewriter must not be used
 * again.
 *
 * @see <a href="https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation">WHATWG: event stream interpretation</a>
 */
public final class SseIdRewriter {
  /**
   * How many bytes before an id field go out in one write with the token prefix: an event's first
   * lines ({@code event: update}, {@code retry: 3000}) rather than a write of their own.
   */
  static final int ROOM = 48;

  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final byte[] BOM_BYTES = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
  private static final byte[] DATA_END = "\ndata:\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EMPTY = new byte[0];
  /** An SSE comment line, then the blank line that ends the (empty) event: ignored by every parser. */
  private static final byte[] HEARTBEAT = {':', '\n', '\n'};
  /** An SSE comment line alone: safe between two lines of an unfinished event. */
  private static final byte[] COMMENT_LINE = {':', '\n'};
  /** Eight bytes of an array at once, least significant first, for {@link #lineEnd}. */
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long CRS = ONES * CR;
  private static final long LFS = ONES * LF;

  private static final int BOM = 0;
  private static final int LINE_START = 1;
  private static final int NAME_I = 2;
  private static final int NAME_ID = 3;
  private static final int ID_SPACE = 4;
  private static final int ID_VALUE = 5;
  private static final int PASS = 6;

  private final char separator;
  /** {@code event: <rotation event>\n}; shared between rewriters, never modified. */
  private final byte[] rotationHead;
  /** {@link #ROOM} bytes of scratch, then {@code id: <token><sep>}: the one prefix array of the stream. */
  private byte[] idLine;
  private int mode = BOM;
  private int bomMatched;
  private boolean dropBom;
  private boolean afterCr;
  private boolean eventOpen;
  private boolean rotationPending;
  private boolean injectAfterCr;
  private byte[] idBuf; // the id being read; null between ids (a held stream keeps only its last id)
  private int idLen;
  private boolean idHasNul;
  private byte[] lastId;
  private int lastIdLen;

  /**
   * @param wireToken the session token in wire form (ASCII)
   * @param separator the composite id separator
   * @param previousId the application's id the client resumes after; the rotation event's id until
   *     the application writes one
   * @param rotationEvent the event name of rotation events
   * @param afterHandshake whether bytes were written before the application's: a leading BOM of the
   *     application's stream is then dropped (browsers strip a BOM only at the very start)
   */
  public SseIdRewriter(String wireToken, char separator, String previousId, String rotationEvent, boolean afterHandshake) {
    this(wireToken, separator, previousId, rotationHead(rotationEvent), afterHandshake);
  }

  /**
   * As {@link #SseIdRewriter(String, char, String, String, boolean)}, with the rotation event's first
   * line made once by {@link #rotationHead(String)} and shared by every rewriter (never modified).
   */
  public SseIdRewriter(String wireToken, char separator, String previousId, byte[] rotationHead, boolean afterHandshake) {
    this.separator = separator;
    this.rotationHead = rotationHead;
    this.idLine = idLine(wireToken);
    this.lastId = previousId.isEmpty() ? EMPTY : previousId.getBytes(StandardCharsets.UTF_8);
    this.lastIdLen = lastId.length;
    this.dropBom = afterHandshake;
  }

  /** The first line of a rotation event, {@code event: <name>\n}, to share between rewriters. */
  public static byte[] rotationHead(String rotationEvent) {
    return ("event: " + rotationEvent + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** {@link #ROOM} free bytes, then {@code id: <token><sep>}, built without an intermediate string. */
  private byte[] idLine(String wireToken) {
    int n = wireToken.length();
    byte[] line = new byte[ROOM + 4 + n + 1];
    int p = ROOM;
    line[p++] = 'i';
    line[p++] = 'd';
    line[p++] = ':';
    line[p++] = ' ';
    for (int i = 0; i < n; i++) {
      line[p++] = (byte) wireToken.charAt(i); // wire tokens are ASCII
    }
    line[p] = (byte) separator;
    return line;
  }

  /** Rewrites {@code len} bytes of {@code b} from {@code off} to {@code out}. */
  public void rewrite(byte[] b, int off, int len, OutputStream out) throws IOException {
    // the state lives in locals for the call (the writes are opaque calls: fields would be read again
    // after each one), and goes back to the fields at the end
    final int end = off + len;
    final byte[] line = idLine;
    int mode = this.mode;
    boolean afterCr = this.afterCr;
    boolean eventOpen = this.eventOpen;
    boolean injectAfterCr = this.injectAfterCr;
    boolean idHasNul = this.idHasNul;
    int bomMatched = this.bomMatched;
    // BOM bytes of earlier calls, held back: written once we know they are to be kept
    final int bomHeld = mode == BOM ? bomMatched : 0;
    // where the name of the field being read began: before off if earlier calls wrote its first bytes
    int nameStart = off - (mode == NAME_I ? 1 : mode == NAME_ID ? 2 : 0);
    int run = off; // start of the input bytes not yet written through
    for (int i = off; i < end; i++) {
      byte c = b[i];
      switch (mode) {
        case PASS -> {
          i = lineEnd(b, i, end);
          if (i < end) {
            mode = LINE_START;
            afterCr = b[i] == CR;
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
            commitId(idHasNul);
            idHasNul = false;
            mode = LINE_START;
            afterCr = c == CR;
          }
        }
        case LINE_START -> {
          if (afterCr) {
            afterCr = false;
            if (c == LF) { // the LF of a CRLF
              if (injectAfterCr) {
                run = flush(b, run, i + 1, out);
                writeRotation(out);
                injectAfterCr = false;
              }
              continue;
            }
          }
          if (injectAfterCr) {
            run = flush(b, run, i, out);
            writeRotation(out);
            injectAfterCr = false;
          }
          if (c == CR || c == LF) { // blank line: the event is dispatched
            eventOpen = false;
            if (rotationPending) {
              if (c == LF) {
                run = flush(b, run, i + 1, out);
                writeRotation(out);
              } else {
                injectAfterCr = true;
              }
            }
            afterCr = c == CR;
          } else if (c == ':') {
            mode = PASS; // comment
          } else if (c == 'i') {
            nameStart = i; // passes through unless the field is "id"
            mode = NAME_I;
          } else {
            eventOpen = true;
            mode = PASS;
          }
        }
        case NAME_I -> {
          if (c == 'd') {
            mode = NAME_ID;
          } else {
            eventOpen = true;
            mode = PASS;
            i--;
          }
        }
        case NAME_ID -> {
          eventOpen = true;
          if (c == ':' || c == CR || c == LF) { // an id field: "id" becomes "id: <token><sep>"
            writePrefix(b, run, nameStart, off, line, out);
            idLen = 0;
            idHasNul = false;
            if (c == ':') {
              run = i + 1;
              mode = ID_SPACE;
            } else { // "id" with no colon: an empty id
              commitId(false);
              run = i;
              mode = PASS;
              i--;
            }
          } else {
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
        default -> { // BOM: only BOM bytes so far, none written
          if (c == BOM_BYTES[bomMatched]) {
            if (++bomMatched == BOM_BYTES.length) {
              if (dropBom) {
                run = i + 1; // neither the held bytes nor this call's go out
              } else if (bomHeld > 0) {
                out.write(BOM_BYTES, 0, bomHeld); // this call's BOM bytes follow in the run
              }
              mode = LINE_START;
            }
          } else {
            if (bomHeld > 0) {
              out.write(BOM_BYTES, 0, bomHeld);
            }
            if (bomMatched > 0) { // not a BOM after all: its bytes start an ordinary line
              eventOpen = true;
              mode = PASS;
            } else {
              mode = LINE_START;
            }
            i--;
          }
        }
      }
    }
    if (mode != BOM && run < end) { // in BOM mode every byte of the call is a held BOM byte
      out.write(b, run, end - run);
    }
    if (injectAfterCr) { // a CR ended the chunk: don't wait for an LF that may never come
      writeRotation(out);
      injectAfterCr = false;
      afterCr = false;
    }
    this.mode = mode;
    this.afterCr = afterCr;
    this.eventOpen = eventOpen;
    this.injectAfterCr = injectAfterCr;
    this.idHasNul = idHasNul;
    this.bomMatched = bomMatched;
  }

  /**
   * The index of the first CR or LF in {@code b[from, end)}, or {@code end}: eight bytes at a time (a
   * byte equal to CR or LF makes a zero byte in the word XORed with it, and the lowest zero byte of a
   * word is found exactly), then one at a time.
   */
  private static int lineEnd(byte[] b, int from, int end) {
    int i = from;
    for (int last = end - 8; i <= last; i += 8) {
      long w = (long) LONGS.get(b, i);
      long cr = w ^ CRS;
      long lf = w ^ LFS;
      long found = ((cr - ONES) & ~cr | (lf - ONES) & ~lf) & HIGHS;
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < end; i++) {
      byte c = b[i];
      if (c == CR || c == LF) {
        return i;
      }
    }
    return end;
  }

  /** Writes {@code b[run, to)} if not empty; returns the new start of the run, {@code to}. */
  private static int flush(byte[] b, int run, int to, OutputStream out) throws IOException {
    if (to > run) {
      out.write(b, run, to - run);
    }
    return to;
  }

  /**
   * Writes the input run before an id field's name and the token prefix that replaces the name: one
   * write when the run fits in the room before the prefix, and one write only when the name's first
   * bytes went out in an earlier call (then the run is empty and the prefix goes out from after them).
   */
  private static void writePrefix(byte[] b, int run, int nameStart, int off, byte[] line, OutputStream out)
      throws IOException {
    int prefixLen = line.length - ROOM;
    if (nameStart < off) {
      int written = off - nameStart;
      out.write(line, ROOM + written, prefixLen - written);
      return;
    }
    int before = nameStart - run;
    if (before == 0) {
      out.write(line, ROOM, prefixLen);
    } else if (before <= ROOM) {
      System.arraycopy(b, run, line, ROOM - before, before);
      out.write(line, ROOM - before, before + prefixLen);
    } else {
      out.write(b, run, before);
      out.write(line, ROOM, prefixLen);
    }
  }

  /**
   * Switches to a new token: every later id carries it. Returns the silent rotation event to write
   * now if the stream is between events, else an empty array and the event is written at the next
   * event boundary.
   */
  public byte[] rotate(String wireToken) {
    idLine = idLine(wireToken);
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

  /**
   * What to write now to keep an idle stream alive: between events, a comment line and a blank line (or
   * the rotation event, if one is waiting for this boundary); between two lines of an event the
   * application has not finished, a comment line alone; in the middle of a line, nothing.
   */
  public byte[] heartbeat() {
    if (mode == LINE_START && eventOpen && !afterCr && !injectAfterCr) {
      return COMMENT_LINE; // inside the application's unfinished event, between its lines: a comment line only
    }
    if (!atBoundary()) {
      return EMPTY;
    }
    if (mode == BOM) {
      dropBom = true;
    }
    afterCr = false;
    if (rotationPending) {
      rotationPending = false;
      return rotationEvent();
    }
    return HEARTBEAT;
  }

  /** Whether the stream is between events, where an event of ours may be written. */
  public boolean atBoundary() {
    return ((mode == LINE_START && !eventOpen) || (mode == BOM && bomMatched == 0)) && !injectAfterCr;
  }

  /** The last id the application wrote (or the previous id it resumed after), as UTF-8 text. */
  public String lastId() {
    return new String(lastId, 0, lastIdLen, StandardCharsets.UTF_8);
  }

  private void writeRotation(OutputStream out) throws IOException {
    out.write(rotationEvent());
    rotationPending = false;
  }

  private byte[] rotationEvent() {
    int prefixLen = idLine.length - ROOM;
    byte[] ev = new byte[rotationHead.length + prefixLen + lastIdLen + DATA_END.length];
    int p = 0;
    System.arraycopy(rotationHead, 0, ev, p, rotationHead.length);
    p += rotationHead.length;
    System.arraycopy(idLine, ROOM, ev, p, prefixLen);
    p += prefixLen;
    System.arraycopy(lastId, 0, ev, p, lastIdLen);
    p += lastIdLen;
    System.arraycopy(DATA_END, 0, ev, p, DATA_END.length);
    return ev;
  }

  private void appendId(byte[] b, int off, int len) {
    if (idBuf == null) {
      idBuf = new byte[Math.max(16, len)];
    } else if (idLen + len > idBuf.length) {
      idBuf = Arrays.copyOf(idBuf, Math.max(idBuf.length * 2, idLen + len));
    }
    System.arraycopy(b, off, idBuf, idLen, len);
    idLen += len;
  }

  private void commitId(boolean hasNul) {
    if (hasNul) {
      return; // browsers ignore an id containing NUL: so do we
    }
    lastId = idBuf != null ? idBuf : EMPTY;
    lastIdLen = idLen;
    idBuf = null;
    idLen = 0;
  }
}
