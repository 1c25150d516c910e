package dev.sseauth.accesslog;

import dev.sseauth.TicketRedactor;

import java.io.IOException;
import java.util.Objects;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.util.component.ContainerLifeCycle;

/**
 * A Jetty {@link RequestLog.Writer} that rewrites the ticket parameter to {@code slt=***} before the
 * line reaches the writer it wraps. Use it with Jetty's {@code CustomRequestLog}:
 *
 * <pre>{@code
 * server.setRequestLog(new CustomRequestLog(
 *     new RedactingRequestLogWriter(new RequestLogWriter("/var/log/jetty/access.log")),
 *     CustomRequestLog.EXTENDED_NCSA_FORMAT));
 * }</pre>
 *
 * <p>Needs {@code org.eclipse.jetty:jetty-server} 12 on the class path (an optional dependency of this
 * module). The wrapped writer is a managed bean: it starts and stops with this one (a
 * {@code RequestLogWriter} opens its file on start). Thread-safe if the wrapped writer is.
 */
public final class RedactingRequestLogWriter extends ContainerLifeCycle implements RequestLog.Writer {
  private final RequestLog.Writer delegate;
  private final TicketRedactor redactor;

  /** Wraps {@code delegate}, redacting the default ticket parameter {@code slt}. */
  public RedactingRequestLogWriter(RequestLog.Writer delegate) {
    this(delegate, TicketRedactor.standard());
  }

  /**
   * @throws NullPointerException if an argument is null
   */
  public RedactingRequestLogWriter(RequestLog.Writer delegate, TicketRedactor redactor) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.redactor = Objects.requireNonNull(redactor, "redactor");
    addBean(delegate);
  }

  @Override
  public void write(String requestEntry) throws IOException {
    delegate.write(redactor.redact(requestEntry));
  }
}
