package dev.sseauth.demo;

import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the demo: {@code java -jar sse-auth-demo.jar [--port N] [--host ADDRESS]} (or {@code PORT=N}); Jetty
 * with the servlet adapter on N (8080 by default), Netty on N + 1. Any {@code sseauth.*} key can be set with
 * {@code -Dsseauth.token.ttl=5m} or {@code SSEAUTH_TOKEN_TTL=5m}. {@code --help} prints the usage.
 */
public final class DemoMain {
  private static final Logger JETTY_LOG = Logger.getLogger("org.eclipse.jetty"); // held: JUL keeps weak references

  /** The address bound when {@code --host} is not given. */
  static final String DEFAULT_HOST = "127.0.0.1";
  /** The servlet port when neither {@code --port} nor {@code PORT} is given. */
  static final int DEFAULT_PORT = 8080;

  /** What {@code --help} prints: every option, with what it does. */
  static final String USAGE = String.join(System.lineSeparator(),
      "usage: java [-Dsseauth.KEY=VALUE ...] -jar sse-auth-demo.jar [--port N] [--host ADDRESS]",
      "       java -jar sse-auth-demo.jar --help",
      "",
      "Runs the sse-auth demo: an app with its own login and a live event feed, guarded by sse-auth,",
      "served by Jetty 12 with the servlet adapter and by Netty 4.2 with the Netty adapter. Users alice/alice",
      "and bob/bob. Ctrl-C stops it.",
      "",
      "options:",
      "  --port N, --port=N         Jetty on port N, Netty on N + 1 (default 8080, or the PORT environment",
      "                             variable; 0 picks free ports); N is 0 to 65534",
      "  --host ADDRESS, --host=ADDRESS",
      "                             the address both servers bind (default 127.0.0.1; 0.0.0.0 for every",
      "                             interface)",
      "  -h, --help                 print this help and exit",
      "",
      "settings: any sseauth.* key, as a system property before -jar (-Dsseauth.token.ttl=5m) or as an",
      "environment variable (SSEAUTH_TOKEN_TTL=5m: upper case, dots and dashes as underscores); system",
      "properties win. Defaults: sseauth.paths=/events, the in-memory store, a random secret per start.",
      "Demo nodes share a store with SSEAUTH_STORE=redis (or jdbc) and the same SSEAUTH_TOKEN_SECRET.",
      "",
      "exit status: 0 after --help, 1 if a port is taken or a server cannot start, 2 for a bad option or",
      "setting (the message names it).",
      "");

  private DemoMain() {}

  /** What the command line asks for: {@link Run}, {@link Help} or {@link Refused}. */
  sealed interface Command permits Run, Help, Refused {}

  /** Start the servers on {@code host}, Jetty on {@code port} and Netty on {@code port + 1}. */
  record Run(String host, int port) implements Command {}

  /** Print {@link #USAGE} to standard output and exit with 0, starting nothing. */
  record Help() implements Command {}

  /**
   * Print {@code message} (one line naming the option, ending with "see --help"; never an option's value
   * unless it is a port number) to standard error and exit with 2.
   */
  record Refused(String message) implements Command {}

  /**
   * Reads the command line. Never exits, prints or throws for bad input: a bad option is a {@link Refused}.
   *
   * @param args the arguments after {@code -jar sse-auth-demo.jar}; never null
   * @param env the environment ({@code PORT}); never null
   */
  static Command parse(String[] args, Map<String, String> env) {
    for (String a : args) {
      if (a.equals("-h") || a.equals("--help")) {
        return new Help();
      }
    }
    String host = DEFAULT_HOST;
    String port = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--port")) {
        if (i + 1 >= args.length) {
          return refused("--port needs a number");
        }
        port = args[++i];
      } else if (a.startsWith("--port=")) {
        port = a.substring("--port=".length());
      } else if (a.equals("--host") || a.startsWith("--host=")) {
        String value = a.equals("--host") ? (i + 1 < args.length ? args[++i] : null) : a.substring("--host=".length());
        if (value == null || value.isBlank() || value.startsWith("-")) {
          return refused("--host needs an address, such as --host 0.0.0.0");
        }
        host = value;
      } else if (a.startsWith("-D")) {
        int eq = a.indexOf('=');
        return refused((eq < 0 ? a : a.substring(0, eq) + "=...") + " is a JVM option: put it before -jar"
            + " (java -Dsseauth.token.ttl=5m -jar sse-auth-demo.jar), or use scripts/demo.sh, which does");
      } else if (a.startsWith("-")) {
        int eq = a.indexOf('=');
        return refused("unknown option " + (eq < 0 ? a : a.substring(0, eq)));
      } else {
        return refused("unexpected argument #" + (i + 1) + ": the demo takes options only");
      }
    }
    try {
      return new Run(host, port != null ? portNumber(port, "--port") : environmentPort(env));
    } catch (IllegalArgumentException e) {
      return refused(e.getMessage());
    }
  }

  private static Refused refused(String message) {
    return new Refused(message + " (see --help)");
  }

  /**
   * Starts both servers and waits until the JVM is stopped (Ctrl-C). {@code --help} prints the usage and
   * returns; exits with 2 for a bad argument or setting (the message names it) and 1 when a port is taken.
   */
  public static void main(String[] args) throws Exception {
    Command command = parse(args, System.getenv());
    if (command instanceof Help) {
      System.out.print(USAGE);
      System.out.flush();
      return;
    }
    if (command instanceof Refused refused) {
      System.err.println("sse-auth demo: " + refused.message());
      System.exit(2);
      return;
    }
    Run run = (Run) command;
    JETTY_LOG.setLevel(Level.WARNING); // Jetty's start-up lines would bury the URLs
    int port = run.port();
    DemoServer demo;
    try {
      demo = DemoServer.builder().host(run.host()).port(port).start();
    } catch (IllegalArgumentException e) {
      System.err.println("sse-auth demo: bad configuration: " + e.getMessage());
      System.exit(2);
      return;
    } catch (Exception e) {
      if (bindFailure(e)) { // Jetty and Netty both throw java.net.BindException for a port in use
        System.err.println("sse-auth demo: cannot listen on port " + port + " or " + (port + 1) + " (" + e.getMessage()
            + "): try --port N");
      } else {
        System.err.println("sse-auth demo: cannot start: " + e);
      }
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        demo.close();
      } catch (Exception e) {
        // exiting anyway
      }
    }, "demo-shutdown"));
    System.out.println();
    System.out.println("  sse-auth demo is running (users alice/alice and bob/bob)");
    System.out.println();
    System.out.println("    Jetty 12 + servlet adapter:  " + demo.servletUri());
    System.out.println("    Netty 4.2 + Netty adapter:   " + demo.nettyUri());
    System.out.println();
    System.out.println("  Open either URL in a browser. Ctrl-C stops.");
    System.out.println();
    System.out.flush();
    Thread.currentThread().join();
  }

  private static boolean bindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException) {
        return true;
      }
    }
    return false;
  }

  /** The servlet port from {@code --port N} (or {@code --port=N}), else {@code PORT}, else 8080. */
  static int port(String[] args, Map<String, String> env) {
    String value = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--port")) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("--port needs a number");
        }
        value = args[i + 1];
      } else if (args[i].startsWith("--port=")) {
        value = args[i].substring("--port=".length());
      }
    }
    return value != null ? portNumber(value, "--port") : environmentPort(env);
  }

  /** The servlet port from {@code PORT}, else 8080. */
  private static int environmentPort(Map<String, String> env) {
    String value = env.get("PORT");
    return value == null || value.isBlank() ? DEFAULT_PORT : portNumber(value.trim(), "PORT");
  }

  /**
   * {@code value} as a servlet port, 0 to 65534 (Netty uses port + 1).
   *
   * @throws IllegalArgumentException naming {@code source} and the value otherwise
   */
  private static int portNumber(String value, String source) {
    try {
      int p = Integer.parseInt(value);
      if (p >= 0 && p <= 65534) {
        return p;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(source + " must be a port number from 0 to 65534 (Netty uses port + 1), but was '"
        + value + "'");
  }
}
