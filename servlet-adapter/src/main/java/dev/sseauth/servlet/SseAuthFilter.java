package dev.sseauth.servlet;

import dev.sseauth.Reason;
import dev.sseauth.SessionInfo;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Decision;
import dev.sseauth.adapter.Reply;
import dev.sseauth.adapter.StreamRequest;
import dev.sseauth.servlet.internal.FilterSettings;
import dev.sseauth.servlet.internal.GuardedRequest;
import dev.sseauth.servlet.internal.Replies;
import dev.sseauth.servlet.internal.SseResponse;
import dev.sseauth.servlet.internal.TicketEndpoint;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;

/**
 * Guards Server-Sent Events endpoints with sse-auth and serves the ticket endpoint. Register it in
 * front of an existing SSE servlet (plain, async, or Spring MVC {@code SseEmitter}); the endpoint is
 * not changed. It must be registered with {@code async-supported} true.
 *
 * <ul>
 *   <li>{@code POST} to {@link SseAuthConfig#ticketPath()} issues a ticket to the principal of the
 *       {@link PrincipalResolver}: {@link dev.sseauth.IssuedTicket#toJson() the ticket as JSON}.
 *   <li>A request to a guarded path ({@link SseAuthConfig#guards}) is judged by the core. Refused: the
 *       core's {@link Reply} as it is (status, {@code WWW-Authenticate} for a 401,
 *       {@code Cache-Control: no-store}, a plain-text reason); the application never runs. Allowed: the
 *       application sees the session's principal ({@code getUserPrincipal()} is the
 *       {@link dev.sseauth.SsePrincipal}), the {@link SessionInfo} as request attribute
 *       {@link #SESSION_ATTRIBUTE}, a {@code Last-Event-ID} holding only its own previous id, and no ticket
 *       parameter; every SSE {@code id} it writes goes out as {@code <token>_<id>}. Only a 200
 *       {@code text/event-stream} response is rewritten ({@link Allowed#rewrites}); any other passes
 *       untouched.
 *   <li>Anything else passes through.
 * </ul>
 *
 * <p>Configuration: {@link #SseAuthFilter(SseAuth)} uses a core built by the application (which keeps
 * ownership of it). The no-argument constructor, for {@code web.xml} and
 * {@code ServletContext.addFilter(name, SseAuthFilter.class)}, builds one in {@link #init} from, in
 * increasing precedence, the properties file named by init-param {@code config-file} (a path or
 * {@code classpath:resource}), the {@code sseauth.*} init-params, and the environment
 * ({@code SSEAUTH_TOKEN_TTL}) and system properties ({@code -Dsseauth.token.ttl}); it is closed in
 * {@link #destroy}. Either way the core is published as servlet context attribute
 * {@link #CONTEXT_ATTRIBUTE}, for revocation and {@link SseAuthTicketServlet}.
 *
 * <p>Thread-safe once initialised. The decision is awaited on the request thread: the in-memory store
 * answers at once and remote stores within {@code sseauth.store.timeout}.
 */
public final class SseAuthFilter implements Filter {
  /** Request attribute holding the allowed stream's {@link SessionInfo} (the verified claims). */
  public static final String SESSION_ATTRIBUTE = "dev.sseauth.session";
  /** Servlet context attribute holding the filter's {@link SseAuth}. */
  public static final String CONTEXT_ATTRIBUTE = "dev.sseauth.SseAuth";
  /** {@code getAuthType()} of an allowed stream request. */
  public static final String AUTH_TYPE = "SSE-AUTH";
  /** The init-param naming a properties file: a file path or {@code classpath:resource}. */
  public static final String CONFIG_FILE_PARAM = FilterSettings.CONFIG_FILE;

  private final boolean owned;
  private final boolean servesTickets;
  private final PrincipalResolver givenResolver;
  private volatile SseAuth auth;
  private volatile TicketEndpoint tickets;
  private volatile ExecutorService executor;
  private volatile Duration bound;

  /** A filter configured in {@link #init} from init-params, a properties file and the environment. */
  public SseAuthFilter() {
    this.owned = true;
    this.servesTickets = true;
    this.givenResolver = null;
  }

  /**
   * A filter using {@code auth}, which the application keeps and closes; tickets go to the principal
   * the configuration implies ({@code sseauth.bearer.*} if set, else {@code getUserPrincipal()}).
   *
   * @throws NullPointerException if auth is null
   */
  public SseAuthFilter(SseAuth auth) {
    this(auth, null);
  }

  /**
   * A filter using {@code auth}, which the application keeps and closes, and issuing tickets to the
   * principals {@code resolver} finds.
   *
   * @param resolver the resolver, or null for the one the configuration implies
   * @throws NullPointerException if auth is null
   */
  public SseAuthFilter(SseAuth auth, PrincipalResolver resolver) {
    this(auth, resolver, true);
  }

  private SseAuthFilter(SseAuth auth, PrincipalResolver resolver, boolean servesTickets) {
    this.auth = Objects.requireNonNull(auth, "auth");
    this.owned = false;
    this.servesTickets = servesTickets;
    this.givenResolver = resolver;
  }

  /**
   * A filter that guards streams and passes requests to the ticket path on untouched, for an application
   * whose authentication is itself a filter (Spring Security's): put this one in front of it, so a stream
   * request is judged before the authentication runs and can be authenticated as its session, and serve
   * the ticket endpoint behind it, where the caller's principal is known, with an ordinary
   * {@code SseAuthFilter} (it passes on a request this one allowed) or an {@link SseAuthTicketServlet}.
   *
   * @param auth the core, which the application keeps and closes
   * @throws NullPointerException if auth is null
   */
  public static SseAuthFilter streamsOnly(SseAuth auth) {
    return new SseAuthFilter(auth, null, false);
  }

  /**
   * Builds the core if this filter owns it, and starts the filter.
   *
   * @throws ServletException if the configuration is invalid (an unknown key or a bad value, named in
   *     the message) or a configured store cannot be created
   */
  @Override
  public void init(FilterConfig filterConfig) throws ServletException {
    if (owned) {
      Map<String, String> params = new LinkedHashMap<>();
      for (String name : Collections.list(filterConfig.getInitParameterNames())) {
        params.put(name, filterConfig.getInitParameter(name));
      }
      try {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Map<String, String> settings = FilterSettings.collect(params,
            loader != null ? loader : SseAuthFilter.class.getClassLoader(), System.getenv(), System.getProperties());
        auth = SseAuth.create(SseAuthConfig.fromMap(settings));
      } catch (IllegalArgumentException e) {
        throw new ServletException("SseAuthFilter '" + filterConfig.getFilterName() + "' is misconfigured: "
            + e.getMessage(), e);
      }
    }
    if (filterConfig != null && filterConfig.getServletContext() != null) {
      filterConfig.getServletContext().setAttribute(CONTEXT_ATTRIBUTE, auth);
    }
    start();
  }

  private void start() {
    SseAuth a = auth;
    tickets = new TicketEndpoint(a, givenResolver != null ? givenResolver : TicketEndpoint.defaultResolver(a));
    bound = TicketEndpoint.backstop(a);
    executor = SseResponse.newExecutor();
  }

  /** The core this filter uses; null before {@link #init} for a filter created without one. */
  public SseAuth auth() {
    return auth;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
      chain.doFilter(req, res);
      return;
    }
    if (executor == null) {
      throw new ServletException("SseAuthFilter was not initialised");
    }
    // already judged (an async or forward dispatch of an allowed request), or an error page: pass
    if (request.getAttribute(SESSION_ATTRIBUTE) != null || request.getDispatcherType() == DispatcherType.ERROR) {
      chain.doFilter(req, res);
      return;
    }
    SseAuth a = auth;
    SseAuthConfig config = a.config();
    String path = path(request);
    if (path != null && path.equals(config.ticketPath())) {
      if (servesTickets) {
        tickets.handle(request, response);
      } else {
        chain.doFilter(req, res);
      }
      return;
    }
    // Guarded if either reading says so: the raw path (the core normalises it conservatively) or the
    // container's own decoded path, which decides what the application serves. A raw URI that does not
    // literally start with the context path (/%61pp/events, //app/events, /./app/events) cannot be
    // read without guessing: it is guarded.
    if (path != null && !config.guards(path) && !config.guards(containerPath(request))) {
      chain.doFilter(req, res);
      return;
    }
    if (path == null || config.ambiguous(path)) { // guarded, but never allowed: refused whatever it carries
      Replies.send(response, Reason.MALFORMED_REQUEST.reply());
      return;
    }
    StreamRequest facts = StreamRequest.of(request.getMethod(), request.getQueryString(), request::getHeader);
    Decision decision = Replies.await(a.decide(facts), bound, null);
    Reply reply = decision == null ? Reason.STORE_UNAVAILABLE.reply() : decision.reply(); // fail closed
    if (reply != null) {
      Replies.send(response, reply); // a refusal, or the handshake alone (reconnect mode)
      return;
    }
    Allowed allowed = (Allowed) decision;
    // on the container's request, so outer filters, access logs and an unwrapped re-dispatch see it too
    request.setAttribute(SESSION_ATTRIBUTE, allowed.session());
    SseResponse wrapped = new SseResponse(request, response, allowed, executor);
    GuardedRequest guarded = new GuardedRequest(request, allowed, wrapped, AUTH_TYPE, config);
    boolean done = false;
    try {
      chain.doFilter(guarded, wrapped);
      done = true;
    } finally {
      if (done) {
        wrapped.afterChain();
      } else {
        wrapped.abandon();
      }
    }
  }

  /**
   * The raw request path without the context path, as the core's path matcher expects it; null if the
   * raw URI does not start with the context path as the container reports it (an encoded or
   * non-normalised context segment).
   */
  private static String path(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String ctx = request.getContextPath();
    if (uri == null) {
      return null;
    }
    if (ctx != null && !ctx.isEmpty()) {
      if (!uri.startsWith(ctx) || (uri.length() > ctx.length() && uri.charAt(ctx.length()) != '/')) {
        return null;
      }
      uri = uri.substring(ctx.length());
    }
    return uri.isEmpty() ? "/" : uri;
  }

  /** The path within the context as the container decoded and normalised it. */
  private static String containerPath(HttpServletRequest request) {
    String servletPath = request.getServletPath();
    String pathInfo = request.getPathInfo();
    String p = (servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo);
    return p.isEmpty() ? "/" : p;
  }

  /** Stops the filter's threads and closes the core if the filter created it. Idempotent. */
  @Override
  public void destroy() {
    ExecutorService ex = executor;
    if (ex != null) {
      ex.shutdownNow();
    }
    if (owned && auth != null) {
      auth.close();
    }
  }
}
