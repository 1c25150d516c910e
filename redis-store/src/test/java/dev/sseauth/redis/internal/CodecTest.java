package dev.sseauth.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.spi.TicketGrant;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CodecTest {
  @Test
  void grantWhenRoundTripThenSame() {
    TicketGrant g = new TicketGrant("al ice", Map.of("a", "1&2"), Instant.ofEpochMilli(1000), Instant.ofEpochMilli(31000),
        Instant.ofEpochMilli(500));
    assertThat(Codec.grant(Codec.grant(g))).isEqualTo(g);
  }

  @Test
  void grantWhenWrittenBeforeRevocationMarksThenReadWithNoneKnown() {
    // a ticket outstanding across an upgrade still redeems; knowing no revocation, any kept one voids it
    TicketGrant g = Codec.grant("1\n1000\n31000\nalice\nrole=reader");
    assertThat(g.subject()).isEqualTo("alice");
    assertThat(g.subjectRevokedAt()).isNull();
    assertThat(g.attributes()).containsEntry("role", "reader");
  }
}
