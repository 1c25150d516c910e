package dev.sseauth.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.testing.Leaks;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What stores reach through the public SPI instead of the core's internals. */
class StoreSupportTest {
  private static final String PASSWORD = "hunter2-Zq7";

  @Test
  void scrubWhenDriverQuotesTheUriThenNoCredentialLeft() {
    String uri = "redis://app:" + PASSWORD + "@127.0.0.1:6379";
    RuntimeException driver = new RuntimeException("cannot connect to " + uri,
        new IllegalStateException("AUTH failed for app with " + PASSWORD));
    RuntimeException scrubbed = StoreSupport.scrub(new IllegalStateException("cannot connect to Redis", driver),
        StoreSupport.uriCredentials(uri));
    assertThat(scrubbed).isInstanceOf(IllegalStateException.class).hasMessage("cannot connect to Redis");
    Leaks.assertNoneIn(scrubbed, PASSWORD, "app:");
  }

  @Test
  void scrubWhenNothingToHideThenSameException() {
    IllegalArgumentException e = new IllegalArgumentException("bad");
    assertThat(StoreSupport.scrub(e, Set.of(PASSWORD))).isSameAs(e);
  }

  @Test
  void uriCredentialsWhenUserInfoAndParametersThenAllFound() {
    assertThat(StoreSupport.uriCredentials("jdbc:postgresql://h/db?user=u1&password=p%231"))
        .contains("u1", "p%231", "p#1");
    assertThat(StoreSupport.uriCredentials(null)).isEmpty();
  }

  @Test
  void randomIdWhenCalledThenUnpaddedBase64UrlAndDistinct() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      String id = StoreSupport.randomId(12);
      assertThat(id).hasSize(16).matches("[A-Za-z0-9_-]+");
      ids.add(id);
    }
    assertThat(ids).hasSize(100);
  }
}
