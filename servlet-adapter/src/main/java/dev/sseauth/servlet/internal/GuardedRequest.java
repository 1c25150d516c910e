package dev.sseauth.servlet.internal;

import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Reply;
import dev.sseauth.SessionInfo;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the application sees of an allowed stream request: the session's principal, a
 * {@code Last-Event-ID} holding only its own previous id, and no ticket or resume parameter.
 * {@link #startAsync()} keeps the wrappers, so writes through the {@link AsyncContext} are rewritten too,
 * and its {@code complete()} never runs concurrently with a write of sse-auth's own.
 */
public final class GuardedRequest extends HttpServletRequestWrapper {
  private static final String LAST_EVENT_ID = Reply.Header.LAST_EVENT_ID;

  // what the request needs of the decision, not the decision itself (its handshake and grant are the
  // stream's, and are dropped once it starts): a held stream keeps no more than it must
  private final SessionInfo session;
  private final String appLastEventId;
  private final String appQuery;
  private final SseResponse response;
  private final String authType;
  private final SseAuthConfig config; // names the ticket and resume parameters, which the application never sees

  /**
   * @param config names the ticket and resume parameters, hidden from the application
   */
  public GuardedRequest(HttpServletRequest request, Allowed allowed, SseResponse response, String authType,
      SseAuthConfig config) {
    super(request);
    this.session = allowed.session();
    this.appLastEventId = allowed.appLastEventId();
    this.appQuery = allowed.appQuery();
    this.response = response;
    this.authType = authType;
    this.config = config;
  }

  private boolean hidden(String param) {
    return config.ticketParam().equals(param) || config.resumeParam().equals(param);
  }


  @Override
  public Principal getUserPrincipal() {
    return session.principal();
  }

  @Override
  public String getRemoteUser() {
    return session.principal().subject();
  }

  @Override
  public String getAuthType() {
    return authType;
  }

  @Override
  public boolean isUserInRole(String role) {
    return false; // sessions carry no roles; read attributes from the principal instead
  }

  /** The session's principal, typed. */
  public SsePrincipal principal() {
    return session.principal();
  }

  // ---- Last-Event-ID: the application's own previous id only ----

  private String lastEventId() {
    return appLastEventId;
  }

  @Override
  public String getHeader(String name) {
    return LAST_EVENT_ID.equalsIgnoreCase(name) ? lastEventId() : super.getHeader(name);
  }

  @Override
  public Enumeration<String> getHeaders(String name) {
    if (!LAST_EVENT_ID.equalsIgnoreCase(name)) {
      return super.getHeaders(name);
    }
    String v = lastEventId();
    return Collections.enumeration(v == null ? List.of() : List.of(v));
  }

  @Override
  public Enumeration<String> getHeaderNames() {
    List<String> names = new ArrayList<>();
    Enumeration<String> e = super.getHeaderNames();
    while (e != null && e.hasMoreElements()) {
      String n = e.nextElement();
      if (!LAST_EVENT_ID.equalsIgnoreCase(n)) {
        names.add(n);
      }
    }
    if (lastEventId() != null) {
      names.add(LAST_EVENT_ID);
    }
    return Collections.enumeration(names);
  }

  @Override
  public int getIntHeader(String name) {
    if (!LAST_EVENT_ID.equalsIgnoreCase(name)) {
      return super.getIntHeader(name);
    }
    String v = lastEventId();
    return v == null ? -1 : Integer.parseInt(v);
  }

  @Override
  public long getDateHeader(String name) {
    if (!LAST_EVENT_ID.equalsIgnoreCase(name)) {
      return super.getDateHeader(name);
    }
    if (lastEventId() == null) {
      return -1;
    }
    throw new IllegalArgumentException(LAST_EVENT_ID + " is not a date");
  }

  // ---- query and parameters without the ticket and resume parameters ----

  @Override
  public String getQueryString() {
    return appQuery;
  }

  @Override
  public String getParameter(String name) {
    return hidden(name) ? null : super.getParameter(name);
  }

  @Override
  public String[] getParameterValues(String name) {
    return hidden(name) ? null : super.getParameterValues(name);
  }

  @Override
  public Map<String, String[]> getParameterMap() {
    Map<String, String[]> m = new LinkedHashMap<>(super.getParameterMap());
    m.keySet().removeIf(this::hidden);
    return Collections.unmodifiableMap(m);
  }

  @Override
  public Enumeration<String> getParameterNames() {
    return Collections.enumeration(getParameterMap().keySet());
  }

  // ---- async: keep the wrappers so every write is rewritten ----

  @Override
  public AsyncContext startAsync() {
    return startAsync(this, response);
  }

  @Override
  public AsyncContext startAsync(ServletRequest request, ServletResponse servletResponse) {
    return response.asyncStarted(super.startAsync(request, servletResponse));
  }

  /** The context {@link #startAsync} returned, so a {@code complete()} through it is serialised too. */
  @Override
  public AsyncContext getAsyncContext() {
    AsyncContext ac = response.appAsyncContext();
    return ac != null ? ac : super.getAsyncContext();
  }
}
