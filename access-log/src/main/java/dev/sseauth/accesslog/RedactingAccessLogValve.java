package dev.sseauth.accesslog;

import dev.sseauth.TicketRedactor;

import java.io.CharArrayWriter;
import org.apache.catalina.valves.AccessLogValve;

/**
 * Tomcat's {@link AccessLogValve} with the ticket parameter rewritten to {@code slt=***} in every line.
 * Configure it like the standard valve, in {@code server.xml}:
 *
 * <pre>{@code
 * <Valve className="dev.sseauth.accesslog.RedactingAccessLogValve"
 *        directory="logs" prefix="access" suffix=".log" pattern="combined" ticketParam="slt"/>
 * }</pre>
 *
 * or in embedded Tomcat with {@code host.getPipeline().addValve(new RedactingAccessLogValve())}.
 * Needs {@code tomcat-embed-core} (or Tomcat's {@code catalina.jar}) 11 on the class path, an optional
 * dependency of this module. Thread-safe as the standard valve is.
 */
public class RedactingAccessLogValve extends AccessLogValve {
  private volatile TicketRedactor redactor = TicketRedactor.standard();

  /**
   * Sets the ticket parameter ({@code sseauth.ticket.param}); default {@code slt}.
   *
   * @throws IllegalArgumentException if param is empty
   */
  public void setTicketParam(String param) {
    this.redactor = new TicketRedactor(param);
  }

  /** The ticket parameter this valve redacts. */
  public String getTicketParam() {
    return redactor.ticketParam();
  }

  @Override
  public void log(CharArrayWriter message) {
    String line = message.toString();
    String redacted = redactor.redact(line);
    if (redacted.equals(line)) {
      super.log(message);
      return;
    }
    CharArrayWriter out = new CharArrayWriter(redacted.length());
    out.append(redacted);
    super.log(out);
  }
}
