package dev.sseauth.servlet;

import dev.sseauth.SseAuth;
import dev.sseauth.servlet.internal.TicketEndpoint;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The ticket endpoint as a servlet, for applications that map it themselves (the filter also serves it
 * on {@code sseauth.ticket.path}). It sends what {@link SseAuth#answerTicketRequest} answers: {@code POST}
 * with an authenticated principal gets {@link dev.sseauth.IssuedTicket#toJson() the ticket as JSON} with
 * {@code Cache-Control: no-store}; no principal (or a resolver that throws) gives 401, other methods 405
 * with {@code Allow: POST}, too many tickets 429, a failing store 503.
 *
 * <p>The no-argument constructor (for {@code web.xml}) uses the {@link SseAuth} an {@link SseAuthFilter}
 * of the same application published as {@link SseAuthFilter#CONTEXT_ATTRIBUTE}. Thread-safe.
 */
public class SseAuthTicketServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient SseAuth given;
  private final transient PrincipalResolver resolver;
  private transient volatile TicketEndpoint endpoint;

  /** A servlet using the {@link SseAuth} published by an {@link SseAuthFilter}. */
  public SseAuthTicketServlet() {
    this(null, null);
  }

  /**
   * A servlet issuing tickets from {@code auth} to the principals {@code resolver} finds.
   *
   * @param auth the core, or null for the one published by an {@link SseAuthFilter}
   * @param resolver the resolver, or null for the one the configuration implies
   */
  public SseAuthTicketServlet(SseAuth auth, PrincipalResolver resolver) {
    this.given = auth;
    this.resolver = resolver;
  }

  /** @throws ServletException if no core was given and none is published in the servlet context */
  @Override
  public void init() throws ServletException {
    SseAuth auth = given;
    if (auth == null) {
      Object o = getServletContext().getAttribute(SseAuthFilter.CONTEXT_ATTRIBUTE);
      if (!(o instanceof SseAuth a)) {
        throw new ServletException("SseAuthTicketServlet needs an SseAuth: pass one, or register an SseAuthFilter "
            + "(it publishes servlet context attribute " + SseAuthFilter.CONTEXT_ATTRIBUTE + ")");
      }
      auth = a;
    }
    endpoint = new TicketEndpoint(auth, resolver != null ? resolver : TicketEndpoint.defaultResolver(auth));
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    endpoint.handle(request, response);
  }
}
