package dev.sseauth.servlet.it;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/** An embedded servlet container on a random port: filters in order on {@code /*}, servlets by path. */
public interface TestServer extends AutoCloseable {

  /** What to deploy. */
  final class Deployment {
    final Map<String, Filter> filters = new LinkedHashMap<>();
    final Map<String, Map<String, String>> filterParams = new LinkedHashMap<>();
    final Map<String, HttpServlet> servlets = new LinkedHashMap<>();
    String contextPath = "";
    boolean idleTimeoutOff;

    /** Deploys under a context path such as {@code /app} (default: the root). */
    public Deployment contextPath(String path) {
      contextPath = path;
      return this;
    }

    /**
     * Disables the container's idle timeout (and with it the timeout of a blocked write), as many SSE
     * deployments do: a write to a client that stopped reading then blocks for good.
     */
    public Deployment idleTimeoutOff() {
      idleTimeoutOff = true;
      return this;
    }

    public Deployment filter(String name, Filter f) {
      filters.put(name, f);
      return this;
    }

    public Deployment filter(String name, Filter f, Map<String, String> initParams) {
      filters.put(name, f);
      filterParams.put(name, initParams);
      return this;
    }

    public Deployment servlet(String path, HttpServlet s) {
      servlets.put(path, s);
      return this;
    }
  }

  /** The base URI, such as {@code http://127.0.0.1:41234}. */
  URI base();

  /** A servlet context attribute. */
  Object contextAttribute(String name);

  @Override
  void close() throws Exception;
}
