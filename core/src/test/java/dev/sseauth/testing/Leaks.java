package dev.sseauth.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Checks that a credential appears nowhere in what a container would log for an exception. */
public final class Leaks {
  private Leaks() {}

  /**
   * The exception as a servlet container logs it: its stack trace with every cause's and suppressed
   * exception's class and message.
   */
  public static String logged(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  /** Asserts that no credential appears in {@code t}'s message, its causes' or its stack trace text. */
  public static void assertNoneIn(Throwable t, String... credentials) {
    String text = logged(t);
    for (String c : credentials) {
      assertThat(text).as("what a container logs for this exception").doesNotContain(c);
    }
  }
}
