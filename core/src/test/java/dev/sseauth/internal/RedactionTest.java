package dev.sseauth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.testing.Leaks;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactionTest {
  @Test
  void uriCredentialsThenUserInfoPartsAndCredentialParameters() {
    assertThat(Redaction.uriCredentials("redis://al%40ice:p%3Ass@h:6379/0"))
        .contains("redis://al%40ice:p%3Ass@h:6379/0", "al%40ice:p%3Ass", "al%40ice", "al@ice", "p%3Ass", "p:ss");
    assertThat(Redaction.uriCredentials("jdbc:postgresql://h/db?user=app&password=s%26cret&ssl=true"))
        .contains("app", "s%26cret", "s&cret").doesNotContain("true", "h", "db");
    assertThat(Redaction.uriCredentials("jdbc:h2:mem:x;USER=sa;PASSWORD=pw;MODE=PostgreSQL"))
        .contains("sa", "pw").doesNotContain("PostgreSQL");
    assertThat(Redaction.uriCredentials(null)).isEmpty();
  }

  @Test
  void scrubTextWhenCredentialIsPartOfALongerWordThenThatWordIsKept() {
    assertThat(Redaction.scrub("org.postgresql.util.PSQLException: FATAL: role \"postgres\" does not exist", List.of("postgres")))
        .isEqualTo("org.postgresql.util.PSQLException: FATAL: role \"***\" does not exist");
    assertThat(Redaction.scrub("url jdbc:h2:x;PASSWORD=!pw!; next", List.of("!pw!", "jdbc:h2:x;PASSWORD=!pw!")))
        .isEqualTo("url ***; next");
    assertThat(Redaction.scrub("a!pw!b", List.of("!pw!"))).isEqualTo("a***b"); // no word boundary to respect
    assertThat(Redaction.scrub((String) null, List.of("x"))).isNull();
  }

  @Test
  void scrubExceptionWhenACauseQuotesACredentialThenEveryMessageScrubbedAndClassesAndStackTracesKept() {
    SQLException driver = new SQLException("connection to jdbc:x://u:hunter2@h failed for user \"u\"", "08001");
    IllegalStateException top = new IllegalStateException("cannot use the database (" + driver + ")", new IllegalStateException(driver));
    top.addSuppressed(new RuntimeException("also hunter2"));
    RuntimeException scrubbed = Redaction.scrub(top, Redaction.uriCredentials("jdbc:x://u:hunter2@h"));
    Leaks.assertNoneIn(scrubbed, "hunter2", "\"u\"");
    assertThat(scrubbed).isInstanceOf(IllegalStateException.class).hasMessage("cannot use the database (java.sql.SQLException: connection to *** failed for user \"***\")");
    assertThat(scrubbed.getStackTrace()).isEqualTo(top.getStackTrace());
    Throwable cause = scrubbed.getCause().getCause();
    assertThat(cause).isInstanceOf(Redaction.RedactedException.class).hasToString("java.sql.SQLException: connection to *** failed for user \"***\"");
    assertThat(cause.getStackTrace()).isEqualTo(driver.getStackTrace());
    assertThat(scrubbed.getSuppressed()).hasSize(1);
    IllegalArgumentException clean = new IllegalArgumentException("nothing secret");
    assertThat(Redaction.scrub(clean, List.of("hunter2"))).isSameAs(clean);
  }
}
