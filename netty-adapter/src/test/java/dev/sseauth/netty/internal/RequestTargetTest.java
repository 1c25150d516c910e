package dev.sseauth.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestTargetTest {
  @Test
  void parseThenPrefixPathAndQuerySplit() {
    RequestTarget t = RequestTarget.parse("http://h:1/events?slt=abc&x=1");
    assertThat(t.prefix()).isEqualTo("http://h:1");
    assertThat(t.path()).isEqualTo("/events");
    assertThat(t.rawQuery()).isEqualTo("slt=abc&x=1");
    assertThat(t.withQuery("x=1")).isEqualTo("http://h:1/events?x=1");
  }

  @Test
  void toStringWhenQueryHoldsATicketThenShowsOnlyThatThereIsAQuery() {
    String ticket = "tkt-Zq7vN1mJfLw0bXc4oP9sRe2uYh6tKdA8gF3iQ5nM1B";
    assertThat(RequestTarget.parse("/events?slt=" + ticket).toString())
        .doesNotContain(ticket).doesNotContain("slt").contains("/events").contains("query=present");
    assertThat(RequestTarget.parse("/events").toString()).contains("query=absent");
  }
}
