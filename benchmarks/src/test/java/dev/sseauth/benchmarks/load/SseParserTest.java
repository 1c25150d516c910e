package dev.sseauth.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The load client's event-stream parser: ids, retry and application events as EventSource reads them. */
class SseParserTest {

  private static final class Seen implements SseParser.Events {
    final List<String> ids = new ArrayList<>();
    final List<Long> retries = new ArrayList<>();
    int app;

    @Override
    public void lastEventId(String id) {
      ids.add(id);
    }

    @Override
    public void retry(long ms) {
      retries.add(ms);
    }

    @Override
    public void appEvent() {
      app++;
    }
  }

  private static Seen parse(String previousId, String... chunks) {
    Seen seen = new Seen();
    SseParser p = new SseParser(previousId, seen);
    for (String c : chunks) {
      byte[] b = c.getBytes(StandardCharsets.UTF_8);
      p.feed(b, 0, b.length);
    }
    return seen;
  }

  @Test
  void feedWhenAHandshakeThenAnAppEventThenTheIdIsTheLastOneSeenAndOneAppEventCounts() {
    Seen s = parse(null, "retry: 100\nevent: sse-auth\nid: tok_\ndata: {\"session\":\"valid\"}\n\n",
        "retry: 100\n\n", "id: tok_100000\ndata: evt-abc\n\n");

    assertThat(s.retries).containsExactly(100L, 100L);
    assertThat(s.ids).containsExactly("tok_", "tok_", "tok_100000"); // the id persists over the retry-only event
    assertThat(s.app).isEqualTo(1);
  }

  @Test
  void feedWhenSplitAnywhereAndCrlfThenTheSameEvents() {
    String stream = "id: a_1\r\ndata: evt-x\r\n\r\nid: a_2\rdata: evt-y\r\r";
    for (int cut = 0; cut <= stream.length(); cut++) {
      Seen s = parse(null, stream.substring(0, cut), stream.substring(cut));
      assertThat(s.ids).as("cut at " + cut).containsExactly("a_1", "a_2");
      assertThat(s.app).as("cut at " + cut).isEqualTo(2);
    }
  }

  @Test
  void feedWhenARetryIsNotAllDigitsOrAnIdHoldsNulThenTheyAreIgnored() {
    Seen s = parse("prev_1", "retry: 10a\nretry:\nid: x\0y\ndata: other\n\n");

    assertThat(s.retries).isEmpty();
    assertThat(s.ids).containsExactly("prev_1"); // the previous connection's id, as browsers keep it
    assertThat(s.app).isZero(); // data that is not the application's marker
  }

  @Test
  void feedWhenNoBlankLineThenNothingIsDispatched() {
    Seen s = parse(null, "id: a_1\ndata: evt-x\n");

    assertThat(s.ids).isEmpty();
    assertThat(s.app).isZero();
  }
}
