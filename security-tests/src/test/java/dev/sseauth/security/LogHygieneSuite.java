package dev.sseauth.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import dev.sseauth.testing.fixtures.RawHttp;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Full flows and failures on a running server with every logger at its most verbose level: sse-auth's
 * ({@code System.Logger}, backed by java.util.logging), the server's own (Jetty through SLF4J into
 * java.util.logging, Tomcat's JULI, Netty's internal logger set to java.util.logging; for WebFlux, Spring's
 * {@code org.springframework} (Commons Logging) and Reactor Netty's {@code reactor} through SLF4J into
 * java.util.logging, and Netty's as for Netty). Then no ticket, token (wire or JWS form, or its payload or
 * signature alone) or secret may appear in any captured line, with one documented exception: a server's
 * own DEBUG tracing of the requests it received ({@link #tracingNamespaces}). The servlet containers' prints
 * them verbatim (Jetty's {@code org.eclipse.jetty} request lines and every parsed header, Tomcat's
 * {@code org.apache.coyote} request dump), so a ticket and a {@code Last-Event-ID}; Spring WebFlux's
 * prints the request target only (headers masked), so a ticket in the query but never a token. sse-auth
 * cannot change that (the request is logged before any filter runs), and SECURITY.md says never to run
 * them at DEBUG in production. Key material appears in no line.
 */
abstract class LogHygieneSuite {
  private static final Pattern ID = Pattern.compile("id: ([A-Za-z0-9.~-]+)_");
  private static final List<String> LOGGERS = List.of("", "dev.sseauth", "org.eclipse.jetty", "org.apache", "io.netty",
      "reactor", "org.springframework");

  abstract Target kind();

  /** The server's own logger namespaces whose DEBUG tracing prints requests verbatim; none: empty. */
  List<String> tracingNamespaces() {
    return switch (kind()) {
      case JETTY -> List.of("org.eclipse.jetty");
      case TOMCAT -> List.of("org.apache.coyote"); // Http11InputBuffer dumps the received request at FINE
      case NETTY -> List.of(); // Netty's own logging never prints requests: no exception at all
      // Spring, before any WebFilter runs: HttpWebHandlerAdapter logs each request at DEBUG as
      // 'HTTP GET "/events?slt=<ticket>"' (its headers only as "headers={masked}": enableLoggingRequestDetails
      // is off by default), and ReactorHttpHandlerAdapter a target java.net.URI cannot parse as
      // "Failed to get request URI: ... http://host/events?slt=<ticket>%". Reactor Netty's own logging
      // prints no request.
      case WEBFLUX -> List.of("org.springframework.web.server.adapter.HttpWebHandlerAdapter",
          "org.springframework.http.server.reactive.ReactorHttpHandlerAdapter");
    };
  }

  /**
   * Whether the {@linkplain #tracingNamespaces tracing} prints request headers (a {@code Last-Event-ID}
   * token), or only the request line (a ticket in the query): then no token may be in it either.
   */
  boolean tracingPrintsHeaders() {
    return kind() != Target.WEBFLUX;
  }

  /**
   * Logger namespaces of the server itself that must appear among the captured lines: proof that the
   * capture sees the server's own logging at the levels the test sets (none for Netty, whose loggers
   * write only as its classes initialise, which an earlier test in the same JVM may have done).
   */
  List<String> serverLoggers() {
    return switch (kind()) {
      case JETTY -> List.of("org.eclipse.jetty");
      case TOMCAT -> List.of("org.apache");
      case NETTY -> List.of();
      case WEBFLUX -> List.of("org.springframework", "reactor.netty");
    };
  }

  /** One captured record: its logger and its formatted text (message, parameters, stack trace). */
  private record Line(String logger, String text) {}

  @Test
  void logsWhenEveryLoggerAtMostVerboseDuringFlowsAndFailuresThenNoTicketTokenOrSecret() throws Exception {
    InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
    Set<String> secrets = new LinkedHashSet<>();
    Set<String> tokens = new LinkedHashSet<>();
    List<Level> previous = new ArrayList<>();
    for (String name : LOGGERS) {
      previous.add(Logger.getLogger(name).getLevel());
    }
    List<Line> lines = new CopyOnWriteArrayList<>();
    Handler handler = new Handler() {
      private final SimpleFormatter f = new SimpleFormatter();

      @Override
      public void publish(LogRecord r) {
        lines.add(new Line(String.valueOf(r.getLoggerName()), f.format(r)));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    handler.setLevel(Level.ALL);
    Logger.getLogger("").addHandler(handler);
    for (String name : LOGGERS) {
      Logger.getLogger(name).setLevel(Level.ALL);
    }
    try {
      try (Rig rig = new Rig(kind(), b -> b.ticketMaxPerSubject(4).tokenTtl(Duration.ofMinutes(30))
          .tokenRotateAfter(Duration.ofMinutes(5)))) {
        // the happy path: ticket, redemption, reconnect, rotation at reconnect
        String ticket = rig.ticket();
        secrets.add(ticket);
        RawHttp.Response first = rig.get("/events?slt=" + ticket + "&topic=a");
        assertThat(first.status()).isEqualTo(200);
        String wire = firstId(first.text());
        addToken(secrets, tokens, wire);
        RawHttp.Response again = rig.get("/events?topic=a", "Last-Event-ID: " + wire + "_1");
        assertThat(again.status()).isEqualTo(200);
        rig.clock.advance(Duration.ofMinutes(6));
        RawHttp.Response rotated = rig.get("/events", "Last-Event-ID: " + wire + "_1");
        assertThat(rotated.status()).isEqualTo(200);
        String fresh = firstId(rotated.text());
        assertThat(fresh).isNotEqualTo(wire);
        addToken(secrets, tokens, fresh);
        // failures: replay, expiry, forged and foreign tokens, origin, method, flood, malformed input
        assertThat(rig.get("/events?slt=" + ticket).status()).isEqualTo(401);
        String expiring = rig.ticket();
        secrets.add(expiring);
        rig.clock.advance(Duration.ofSeconds(31));
        assertThat(rig.get("/events?slt=" + expiring).status()).isEqualTo(401);
        String forged = Rig.sign(Rig.header(JWSAlgorithm.HS256, Rig.RS_KID).build(), rig.validClaims("alice").build(),
            new MACSigner(Rig.RSA.toPublicKey().getEncoded()));
        addToken(secrets, tokens, forged.replace('_', '~'));
        assertThat(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(forged, "1")).status()).isEqualTo(401);
        String badKid = Rig.signWithServerKey(Rig.header(JWSAlgorithm.RS256, "../../x").build(), rig.validClaims("a").build());
        addToken(secrets, tokens, badKid.replace('_', '~'));
        assertThat(rig.get("/events", "Last-Event-ID: " + Rig.lastEventId(badKid, "")).status()).isEqualTo(401);
        String foreignTicket = rig.ticket("bob");
        secrets.add(foreignTicket);
        assertThat(rig.get("/events?slt=" + foreignTicket, "Origin: https://evil.example").status()).isEqualTo(403);
        assertThat(rig.send(RawHttp.request("HEAD", "/events?slt=" + foreignTicket)).status()).isEqualTo(405);
        assertThat(rig.get("/events?slt=" + foreignTicket + "&slt=" + foreignTicket).status()).isEqualTo(400);
        for (int i = 0; i < 6; i++) {
          RawHttp.Response r = rig.send(RawHttp.request("POST", "/sse/ticket", "X-Test-User: mallory"));
          if (r.status() == 200) {
            Matcher m = Pattern.compile("\"ticket\":\"([^\"]+)\"").matcher(r.text());
            assertThat(m.find()).isTrue();
            secrets.add(m.group(1));
          } else {
            assertThat(r.status()).isEqualTo(429);
          }
        }
        assertThat(rig.get("/events", "Last-Event-ID: " + fresh + "_1\u00C3\u0028").status()).isBetween(400, 499);
        String malformed = rig.ticket(); // a ticket in a query with a broken escape: refused, by sse-auth or the server
        secrets.add(malformed);
        assertThat(rig.get("/events?slt=" + malformed + "%").status()).isBetween(400, 499);
        assertThat(rig.get("/events", "Last-Event-ID: " + fresh + "_" + "9".repeat(20_000)).status()).isBetween(400, 499);
        // revocation ends the session
        rig.auth.revokeSession(Rig.claims(fresh).getStringClaim("sid")).toCompletableFuture().join();
        assertThat(rig.get("/events", "Last-Event-ID: " + fresh + "_1").status()).isEqualTo(401);
        rig.auth.revokeSubject("alice").toCompletableFuture().join();
      }
    } finally {
      Logger.getLogger("").removeHandler(handler);
      for (int i = 0; i < LOGGERS.size(); i++) {
        Logger.getLogger(LOGGERS.get(i)).setLevel(previous.get(i));
      }
    }
    Set<String> keys = new LinkedHashSet<>();
    keys.add(new String(Rig.HS_SECRET, StandardCharsets.US_ASCII));
    keys.add(Base64.getEncoder().encodeToString(Rig.HS_SECRET));
    keys.add(Base64URL.encode(Rig.HS_SECRET).toString());
    keys.add(Rig.RSA.getPrivateExponent().toString());
    keys.add(Rig.RSA.getFirstPrimeFactor().toString());
    keys.add(Rig.RSA.getSecondPrimeFactor().toString());
    assertThat(lines).as("captured log lines: the capture must see the server's own logging").hasSizeGreaterThan(20);
    assertThat(lines).as("sse-auth's own DEBUG lines are captured").anyMatch(l -> l.logger().startsWith("dev.sseauth"));
    for (String namespace : serverLoggers()) {
      assertThat(lines).as("the server's own lines (%s) are captured", namespace)
          .anyMatch(l -> l.logger().startsWith(namespace));
    }
    List<String> tracing = tracingNamespaces();
    for (Line line : lines) {
      for (String key : keys) {
        assertThat(line.text()).as("key material in the logs of %s (%s)", kind(), line.logger()).doesNotContain(key);
      }
      if (tracing.stream().anyMatch(line.logger()::startsWith)) {
        if (!tracingPrintsHeaders()) {
          for (String token : tokens) {
            assertThat(line.text()).as("a token in the request-line tracing of %s (%s)", kind(), line.logger())
                .doesNotContain(token);
          }
        }
        continue;
      }
      for (String secret : secrets) {
        assertThat(line.text()).as("a ticket or token in the logs of %s (%s)", kind(), line.logger()).doesNotContain(secret);
      }
    }
  }

  private static String firstId(String body) {
    Matcher m = ID.matcher(body);
    assertThat(m.find()).as(body).isTrue();
    return m.group(1);
  }

  /**
   * The token in wire and JWS form, and its payload and signature alone (both alphabets), added to
   * {@code tokens} and to {@code secrets}.
   */
  private static void addToken(Set<String> secrets, Set<String> tokens, String wire) {
    String jws = wire.replace('~', '_');
    tokens.add(wire);
    tokens.add(jws);
    String[] parts = jws.split("\\.");
    for (int i = 1; i < parts.length; i++) {
      if (parts[i].length() > 16) {
        tokens.add(parts[i]);
        tokens.add(parts[i].replace('_', '~'));
      }
    }
    secrets.addAll(tokens);
  }
}
