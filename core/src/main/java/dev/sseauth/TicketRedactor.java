package dev.sseauth;

import dev.sseauth.internal.QueryParams;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the ticket parameter in a log line to {@code slt=***}. A ticket in an access log is
 * worthless once spent or expired, but until then it could be redeemed by whoever reads the log: this
 * closes that window. Every query parameter whose percent-decoded name is the ticket parameter is
 * rewritten, wherever it appears in the line (request line, referrer, query field), so {@code %73lt=}
 * tricks do not slip through.
 *
 * <p>Immutable and thread-safe.
 */
public final class TicketRedactor {
  /** A query parameter after {@code ?}, {@code &} or {@code ;}: its raw name and raw value. */
  private static final Pattern PARAM = Pattern.compile("(?<=[?&;])([^=&;?#\\s\"]+)=([^&;#\\s\"]*)");

  private final String param;

  /**
   * @param ticketParam the ticket parameter, {@code sseauth.ticket.param} (default {@code slt})
   * @throws NullPointerException if ticketParam is null
   * @throws IllegalArgumentException if ticketParam is empty
   */
  public TicketRedactor(String ticketParam) {
    Objects.requireNonNull(ticketParam, "ticketParam");
    if (ticketParam.isEmpty()) {
      throw new IllegalArgumentException("ticketParam must not be empty");
    }
    this.param = ticketParam;
  }

  /** A redactor for the default ticket parameter {@code slt}. */
  public static TicketRedactor standard() {
    return new TicketRedactor("slt");
  }

  /** The ticket parameter this redactor rewrites. */
  public String ticketParam() {
    return param;
  }

  /**
   * The line with every ticket parameter's value replaced by {@code ***}.
   *
   * @param line a log line; null gives null
   */
  public String redact(String line) {
    if (line == null || line.indexOf('=') < 0) {
      return line;
    }
    Matcher m = PARAM.matcher(line);
    StringBuilder out = null;
    int last = 0;
    while (m.find()) {
      String rawName = m.group(1);
      String name = rawName.indexOf('%') >= 0 || rawName.indexOf('+') >= 0 ? QueryParams.percentDecode(rawName, true) : rawName;
      if (param.equals(name) && !"***".equals(m.group(2))) {
        if (out == null) {
          out = new StringBuilder(line.length());
        }
        out.append(line, last, m.start(2)).append("***");
        last = m.end(2);
      }
    }
    if (out == null) {
      return line;
    }
    return out.append(line, last, line.length()).toString();
  }
}
