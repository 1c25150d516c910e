package dev.sseauth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class SseIdRewriterTest {
  private static final String TOKEN = "aaa.bbb.c~c";
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private static SseIdRewriter rewriter() {
    return new SseIdRewriter(TOKEN, '_', "", "rot", false);
  }

  private static String rewrite(SseIdRewriter r, String... chunks) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String c : chunks) {
      byte[] b = c.getBytes(StandardCharsets.UTF_8);
      r.rewrite(b, 0, b.length, out);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void rewriteWhenIdFieldThenTokenPrefixed() throws IOException {
    assertThat(rewrite(rewriter(), "id: 41\ndata: x\n\n")).isEqualTo("id: aaa.bbb.c~c_41\ndata: x\n\n");
  }

  @Test
  void rewriteWhenIdWithoutSpaceOrColonThenSameComposite() throws IOException {
    assertThat(rewrite(rewriter(), "id:41\n", "id\n", "id:\n", "id:  two spaces\n"))
        .isEqualTo("id: aaa.bbb.c~c_41\nid: aaa.bbb.c~c_\nid: aaa.bbb.c~c_\nid: aaa.bbb.c~c_ two spaces\n");
  }

  @Test
  void rewriteWhenFieldOnlyStartsWithIdThenUntouched() throws IOException {
    String in = "idx: 1\ni: 2\nidentity\n:id: comment\ndata: id: 3\n i d\n";
    assertThat(rewrite(rewriter(), in)).isEqualTo(in);
  }

  @Test
  void rewriteWhenIdSplitAcrossEveryByteThenSameOutput() throws IOException {
    String in = "event: e\r\nid: 7_x\r\ndata: d\r\n\r\n";
    SseIdRewriter r = rewriter();
    String[] chunks = in.split("");
    assertThat(rewrite(r, chunks)).isEqualTo("event: e\r\nid: aaa.bbb.c~c_7_x\r\ndata: d\r\n\r\n");
    assertThat(r.lastId()).isEqualTo("7_x");
  }

  @Test
  void rewriteWhenCrLineEndingsThenIdsFound() throws IOException {
    assertThat(rewrite(rewriter(), "id: 1\rdata: a\r\rid: 2\r")).isEqualTo("id: aaa.bbb.c~c_1\rdata: a\r\rid: aaa.bbb.c~c_2\r");
  }

  @Test
  void rewriteWhenLeadingBomThenKeptOrDroppedAfterHandshake() throws IOException {
    byte[] in = concat(BOM, "id: 1\n\n".getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    new SseIdRewriter(TOKEN, '_', "", "rot", false).rewrite(in, 0, in.length, kept);
    assertThat(kept.toByteArray()).isEqualTo(concat(BOM, ("id: " + TOKEN + "_1\n\n").getBytes(StandardCharsets.UTF_8)));
    ByteArrayOutputStream dropped = new ByteArrayOutputStream();
    new SseIdRewriter(TOKEN, '_', "", "rot", true).rewrite(in, 0, in.length, dropped);
    assertThat(dropped.toString(StandardCharsets.UTF_8)).isEqualTo("id: " + TOKEN + "_1\n\n");
  }

  @Test
  void rewriteWhenIdHoldsNulThenLastIdUnchanged() throws IOException {
    SseIdRewriter r = rewriter();
    rewrite(r, "id: good\n\n", "id: b\0d\n\n");
    assertThat(r.lastId()).isEqualTo("good");
  }

  /** Line ends are found eight bytes at a time: at every offset, among bytes that differ from CR or LF in one bit. */
  @Test
  void rewriteWhenLineEndAtAnyOffsetAmongLookalikeBytesThenFound() throws IOException {
    byte[] lookalikes = {(byte) 0x8A, (byte) 0x8D, 0x0B, 0x0C, 0x0E, 0x09, 0x02, 0x05, (byte) 0xFF, 0x1A, 0x1D, 'a'};
    for (byte end : new byte[] {'\r', '\n'}) {
      for (int at = 0; at < 40; at++) {
        byte[] in = new byte[at + 16 + 10];
        int p = 0;
        in[p++] = 'x';
        in[p++] = ':';
        for (int k = 0; k < at; k++) { // a lookalike, then "id:": taken for a line end, it would make an id field
          in[p++] = k % 4 == 0 ? lookalikes[(k / 4) % lookalikes.length] : (byte) "?id:".charAt(k % 4);
        }
        in[p++] = end;
        for (byte c : "id: 7\n\n".getBytes(StandardCharsets.US_ASCII)) {
          in[p++] = c;
        }
        in = java.util.Arrays.copyOf(in, p);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        rewriter().rewrite(in, 0, in.length, out);
        assertThat(out.toByteArray()).as("line end %d at %d", end, at).isEqualTo(reference(in));
      }
    }
  }

  @Test
  void rotateWhenBetweenEventsThenSilentEventReturnedWithLastId() throws IOException {
    SseIdRewriter r = new SseIdRewriter(TOKEN, '_', "resumed", "rot", true);
    assertThat(new String(r.rotate("new.tok.en"), StandardCharsets.UTF_8))
        .isEqualTo("event: rot\nid: new.tok.en_resumed\ndata:\n\n");
    rewrite(r, "id: 5\ndata: x\n\n");
    assertThat(new String(r.rotate("n2.t.k"), StandardCharsets.UTF_8)).isEqualTo("event: rot\nid: n2.t.k_5\ndata:\n\n");
    assertThat(rewrite(r, "id: 6\n\n")).isEqualTo("id: n2.t.k_6\n\n");
  }

  @Test
  void rotateWhenMidEventThenInjectedAtNextBoundary() throws IOException {
    SseIdRewriter r = rewriter();
    assertThat(rewrite(r, "id: 1\ndata: par")).isEqualTo("id: aaa.bbb.c~c_1\ndata: par");
    assertThat(r.rotate("n.e.w")).isEmpty();
    assertThat(rewrite(r, "t\n\ndata: next\n\n"))
        .isEqualTo("t\n\nevent: rot\nid: n.e.w_1\ndata:\n\ndata: next\n\n");
  }

  @Test
  void rotateWhenBlankLineEndsWithCrAtChunkEndThenInjectedAtOnce() throws IOException {
    SseIdRewriter r = rewriter();
    rewrite(r, "data: a\r");
    assertThat(r.rotate("n.e.w")).isEmpty();
    assertThat(rewrite(r, "\r")).isEqualTo("\revent: rot\nid: n.e.w_\ndata:\n\n");
    assertThat(rewrite(r, "\ndata: b\n\n")).isEqualTo("\ndata: b\n\n");
  }

  /** Counts the writes it receives (never an empty one) and keeps the bytes. */
  static final class CountingOutput extends ByteArrayOutputStream {
    int writes;

    @Override
    public void write(int b) {
      throw new AssertionError("single-byte write");
    }

    @Override
    public void write(byte[] b, int off, int len) {
      assertThat(len).as("an empty write").isPositive();
      writes++;
      super.write(b, off, len);
    }
  }

  @Test
  void rewriteWhenOneEventPerWriteThenAtMostTwoWritesEach() throws IOException {
    String[] events = {
        "id: 41\ndata: x\n\n",
        "event: update\nid: 42\ndata: y\n\n",
        "retry: 3000\r\nevent: e\r\nid:7\r\ndata: z\r\n\r\n",
        "data: a\nid\n\n",
        "data: " + "b".repeat(SseIdRewriter.ROOM - 7) + "\nid: 8\n\n",
        ": heartbeat\n\n",
        "idx: 1\ni: 2\nid: 9\ndata: identity\n\n",
        "data: no id\n\n"};
    SseIdRewriter r = rewriter();
    for (String e : events) {
      CountingOutput out = new CountingOutput();
      byte[] b = e.getBytes(StandardCharsets.UTF_8);
      r.rewrite(b, 0, b.length, out);
      assertThat(out.writes).as(e).isBetween(1, 2);
      assertThat(out.toByteArray()).isEqualTo(reference(b));
    }
    // more than ROOM bytes before the id field: they go out on their own, a third write
    CountingOutput out = new CountingOutput();
    byte[] b = ("data: " + "b".repeat(SseIdRewriter.ROOM) + "\nid: 8\n\n").getBytes(StandardCharsets.UTF_8);
    r.rewrite(b, 0, b.length, out);
    assertThat(out.writes).isEqualTo(3);
    assertThat(out.toByteArray()).isEqualTo(reference(b));
  }

  @Test
  void rewriteWhenManyEventsInOneWriteThenAtMostTwoWritesPerEvent() throws IOException {
    StringBuilder s = new StringBuilder();
    int events = 0;
    for (int id = 1_000_000; s.length() < 64 * 1024; id++, events++) {
      s.append(id % 3 == 0 ? "event: tick\n" : "").append("id: ").append(id).append("\ndata: ")
          .append("abcdefghijklmnopqrstuvwxyz".repeat(3)).append("\n\n");
    }
    byte[] in = s.toString().getBytes(StandardCharsets.US_ASCII);
    CountingOutput out = new CountingOutput();
    rewriter().rewrite(in, 0, in.length, out);
    assertThat(out.toByteArray()).isEqualTo(reference(in));
    assertThat(out.writes).isLessThanOrEqualTo(2 * events);
  }

  @Test
  void rewriteWhenIdNameSplitFromItsColonThenPrefixWrittenOnceWithoutTheNameAgain() throws IOException {
    SseIdRewriter r = rewriter();
    CountingOutput out = new CountingOutput();
    for (String chunk : new String[] {"data: a\ni", "d", ": 5\n\nid", ":6\n\n"}) {
      byte[] b = chunk.getBytes(StandardCharsets.UTF_8);
      int before = out.writes;
      r.rewrite(b, 0, b.length, out);
      assertThat(out.writes - before).as(chunk).isLessThanOrEqualTo(2);
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("data: a\nid: aaa.bbb.c~c_5\n\nid: aaa.bbb.c~c_6\n\n");
  }

  // ---- properties ----

  /** One line of an event stream: content (no CR/LF) and its terminator. */
  record Line(String content, String end) {}

  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("ab_~.- :é€0123456789").ofMaxLength(12),
        Arbitraries.strings().ofMaxLength(8).map(s -> s.replace('\r', 'r').replace('\n', 'n'))
            .filter(s -> s.chars().noneMatch(c -> Character.isSurrogate((char) c))),
        Arbitraries.of("", "_", "__", "a_b", " lead", "😀_x"));
  }

  @Provide
  Arbitrary<List<Line>> streams() {
    Arbitrary<String> content = Arbitraries.oneOf(
        ids().map(v -> "id: " + v), ids().map(v -> "id:" + v), Arbitraries.just("id"),
        Arbitraries.strings().withChars("abc xyz:é").ofMaxLength(20).map(s -> "data: " + s),
        Arbitraries.just("data"), Arbitraries.just(": comment id: 1"), Arbitraries.just("event: e"),
        Arbitraries.just("retry: 10"), Arbitraries.just(""), Arbitraries.just(""), Arbitraries.just("idx: 1"),
        Arbitraries.just("i"), Arbitraries.just("d: id"));
    Arbitrary<String> end = Arbitraries.of("\n", "\r\n", "\r");
    return Combinators.combine(content, end).as(Line::new).list().ofMaxSize(30);
  }

  @Property(tries = 300)
  void rewriteWhenAnyChunkingThenSameBytesAsReference(@ForAll("streams") List<Line> lines,
      @ForAll boolean bom, @ForAll("cuts") List<Integer> cuts) throws IOException {
    byte[] in = encode(lines, bom);
    byte[] expected = reference(in);
    SseIdRewriter r = rewriter();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int pos = 0;
    for (int cut : cuts) {
      int n = Math.min(cut, in.length - pos);
      r.rewrite(in, pos, n, out);
      pos += n;
    }
    r.rewrite(in, pos, in.length - pos, out);
    assertThat(out.toByteArray()).isEqualTo(expected);
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(0, 7).list().ofMaxSize(60);
  }

  @Property(tries = 200)
  void rewriteWhenAnyStreamThenNonIdLinesUntouched(@ForAll("streams") List<Line> lines) throws IOException {
    byte[] in = encode(lines, false);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    rewriter().rewrite(in, 0, in.length, out);
    assertThat(withoutIdLines(out.toByteArray())).isEqualTo(withoutIdLines(in));
  }

  @Property(tries = 200)
  void rewriteThenEveryIdCarriesTokenAndAppValue(@ForAll("ids") String id) throws IOException {
    String noNul = id.replace("\0", "");
    byte[] in = ("id: " + noNul + "\n\n").getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SseIdRewriter r = rewriter();
    r.rewrite(in, 0, in.length, out);
    String line = out.toString(StandardCharsets.UTF_8).split("\n")[0];
    CompositeIds.Parts parts = CompositeIds.parse(line.substring(4), '_', 2048);
    assertThat(parts).isNotNull();
    assertThat(parts.previousId()).isEqualTo(noNul);
    assertThat(r.lastId()).isEqualTo(noNul);
  }

  /**
   * Writes per call: at most two per id field whose name ends in the call (the run before it and the
   * token prefix), one for the rest of the call, and one for BOM bytes held from an earlier call.
   */
  @Property(tries = 300)
  void rewriteWhenAnyChunkingThenAtMostTwoWritesPerIdFieldAndOneMorePerCall(@ForAll("streams") List<Line> lines,
      @ForAll boolean bom, @ForAll("cuts") List<Integer> cuts) throws IOException {
    byte[] in = encode(lines, bom);
    List<Integer> idNameEnds = new ArrayList<>(); // where the ':' or the line end after "id" stands
    int at = bom ? 3 : 0;
    for (byte[][] l : lines(in, at)) {
      String content = new String(l[0], StandardCharsets.UTF_8);
      if ((content.equals("id") && l[1].length > 0) || content.startsWith("id:")) {
        idNameEnds.add(at + 2);
      }
      at += l[0].length + l[1].length;
    }
    SseIdRewriter r = rewriter();
    CountingOutput out = new CountingOutput();
    int pos = 0;
    List<Integer> sizes = new ArrayList<>(cuts);
    sizes.add(in.length);
    for (int cut : sizes) {
      int n = Math.min(cut, in.length - pos);
      int from = pos;
      long ids = idNameEnds.stream().filter(e -> e >= from && e < from + n).count();
      int before = out.writes;
      r.rewrite(in, pos, n, out);
      int heldBom = bom && from > 0 && from < 3 ? 1 : 0;
      assertThat(out.writes - before).isLessThanOrEqualTo((int) (2 * ids + 1 + heldBom));
      pos += n;
    }
    assertThat(out.toByteArray()).isEqualTo(reference(in));
  }

  private static byte[] encode(List<Line> lines, boolean bom) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    if (bom) {
      b.writeBytes(BOM);
    }
    for (Line l : lines) {
      b.writeBytes((l.content() + l.end()).getBytes(StandardCharsets.UTF_8));
    }
    return b.toByteArray();
  }

  /** Splits bytes into lines by the WHATWG rules, each with its terminator (CRLF is one). */
  private static List<byte[][]> lines(byte[] in, int start) {
    List<byte[][]> out = new ArrayList<>();
    int s = start;
    int i = start;
    while (i < in.length) {
      if (in[i] == '\r' || in[i] == '\n') {
        int endLen = in[i] == '\r' && i + 1 < in.length && in[i + 1] == '\n' ? 2 : 1;
        out.add(new byte[][] {java.util.Arrays.copyOfRange(in, s, i), java.util.Arrays.copyOfRange(in, i, i + endLen)});
        i += endLen;
        s = i;
      } else {
        i++;
      }
    }
    if (s < in.length) {
      out.add(new byte[][] {java.util.Arrays.copyOfRange(in, s, in.length), new byte[0]});
    }
    return out;
  }

  /** The one-shot reference rewrite: the rules written the obvious way. */
  private static byte[] reference(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int start = 0;
    if (in.length >= 3 && in[0] == BOM[0] && in[1] == BOM[1] && in[2] == BOM[2]) {
      out.writeBytes(BOM);
      start = 3;
    }
    for (byte[][] l : lines(in, start)) {
      String content = new String(l[0], StandardCharsets.UTF_8);
      boolean complete = l[1].length > 0;
      if (content.equals("id") && complete) {
        out.writeBytes(("id: " + TOKEN + "_").getBytes(StandardCharsets.UTF_8));
      } else if (content.startsWith("id:")) {
        String v = content.substring(3);
        if (v.startsWith(" ")) {
          v = v.substring(1);
        }
        out.writeBytes(("id: " + TOKEN + "_" + v).getBytes(StandardCharsets.UTF_8));
      } else {
        out.writeBytes(l[0]);
      }
      out.writeBytes(l[1]);
    }
    return out.toByteArray();
  }

  private static List<String> withoutIdLines(byte[] bytes) {
    List<String> kept = new ArrayList<>();
    for (byte[][] l : lines(bytes, 0)) {
      String c = new String(l[0], StandardCharsets.UTF_8);
      if (!(c.equals("id") || c.startsWith("id:"))) {
        kept.add(c + new String(l[1], StandardCharsets.UTF_8));
      }
    }
    return kept;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @Test
  void heartbeatWhenBetweenEventsThenACommentAndInsideAnEventNothing() throws IOException {
    SseIdRewriter r = rewriter();
    assertThat(new String(r.heartbeat(), StandardCharsets.UTF_8)).isEqualTo(":\n\n"); // before any byte
    assertThat(rewrite(r, "data: a\n")).isEqualTo("data: a\n");
    assertThat(new String(r.heartbeat(), StandardCharsets.UTF_8)).isEqualTo(":\n"); // the event is open: no blank line
    assertThat(rewrite(r, "\ndata: b")).isEqualTo("\ndata: b");
    assertThat(r.heartbeat()).isEmpty(); // mid-line
    assertThat(rewrite(r, "\n\r")).isEqualTo("\n\r");
    byte[] afterCr = r.heartbeat(); // a CR that ended the event: the application's LF must not start another
    assertThat(new String(afterCr, StandardCharsets.UTF_8)).isEqualTo(":\n\n");
    assertThat(rewrite(r, "\nid: 3\ndata: c\n\n")).isEqualTo("\nid: " + TOKEN + "_3\ndata: c\n\n");
  }

  @Test
  void heartbeatWhenARotationWaitsForTheBoundaryThenTheRotationEventIsWritten() throws IOException {
    SseIdRewriter r = rewriter();
    assertThat(rewrite(r, "id: 5\ndata: a\n")).isEqualTo("id: " + TOKEN + "_5\ndata: a\n");
    assertThat(r.rotate("new.tok.en")).isEmpty(); // inside an event: it waits
    assertThat(rewrite(r, "\n")).isEqualTo("\nevent: rot\nid: new.tok.en_5\ndata:\n\n"); // written at the boundary
    assertThat(r.rotate("new2.tok.en")).isNotEmpty();
    assertThat(rewrite(r, "data: b\n")).isEqualTo("data: b\n");
    assertThat(r.rotate("new3.tok.en")).isEmpty();
    assertThat(new String(r.heartbeat(), StandardCharsets.UTF_8)).isEqualTo(":\n"); // the rotation still waits
    assertThat(rewrite(r, "\n")).contains("event: rot");
  }
}
