package dev.sseauth.accesslog;

import dev.sseauth.TicketRedactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sseauth.testing.Await;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.CustomRequestLog;
import org.eclipse.jetty.server.RequestLogWriter;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogRedactionTest {
  static final String TICKET = "Zm9vYmFyLXRpY2tldC0wMTIzNDU2Nzg5LWFiY2RlZmdo";
  static final String TARGET = "/events?topic=a&slt=" + TICKET + "&n=1&%73lt=" + TICKET + "x";

  @TempDir
  Path dir;

  static HttpServlet ok() {
    return new HttpServlet() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setStatus(200);
        resp.getWriter().write("ok");
      }
    };
  }

  static void get(URI base) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve(TARGET))
        .header("Referer", "https://app.example/page?slt=" + TICKET).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  static void assertRedacted(String log) {
    assertThat(log).doesNotContain(TICKET);
    assertThat(log).contains("/events?topic=a&slt=***&n=1&%73lt=***").contains("page?slt=***");
  }

  @Test
  void redactWhenLineHoldsTicketParameterThenValueIsStars() {
    TicketRedactor r = TicketRedactor.standard();
    assertThat(r.redact("GET /events?slt=abc HTTP/1.1")).isEqualTo("GET /events?slt=*** HTTP/1.1");
    assertThat(r.redact("GET /e?a=1&slt=abc&slt=def;slt=x HTTP/1.1")).isEqualTo("GET /e?a=1&slt=***&slt=***;slt=*** HTTP/1.1");
    assertThat(r.redact("\"GET /e?sl%74=abc&SLT=keep&xslt=keep HTTP/1.1\"")).isEqualTo("\"GET /e?sl%74=***&SLT=keep&xslt=keep HTTP/1.1\"");
    assertThat(r.redact("GET /e?slt= HTTP/1.1")).isEqualTo("GET /e?slt=*** HTTP/1.1");
    assertThat(r.redact("no query here slt=abc")).isEqualTo("no query here slt=abc");
    assertThat(r.redact(null)).isNull();
    assertThat(new TicketRedactor("ticket").redact("GET /e?ticket=abc&slt=keep")).isEqualTo("GET /e?ticket=***&slt=keep");
    assertThatThrownBy(() -> new TicketRedactor("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void jettyRequestLogWhenWrappedThenTicketNeverReachesTheFile() throws Exception {
    Path file = dir.resolve("jetty-access.log");
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.addServlet(new ServletHolder(ok()), "/*");
    server.setHandler(ctx);
    server.setRequestLog(new CustomRequestLog(new RedactingRequestLogWriter(new RequestLogWriter(file.toString())),
        CustomRequestLog.EXTENDED_NCSA_FORMAT));
    server.start();
    try {
      get(URI.create("http://127.0.0.1:" + connector.getLocalPort()));
      Await.until(Duration.ofSeconds(10), "the access log line", () -> read(file).contains("/events"));
    } finally {
      server.stop();
    }
    assertRedacted(read(file));
  }

  @Test
  void tomcatAccessLogValveWhenRedactingThenTicketNeverReachesTheFile() throws Exception {
    Tomcat tomcat = new Tomcat();
    File base = dir.resolve("tomcat").toFile();
    tomcat.setBaseDir(base.getAbsolutePath());
    tomcat.setHostname("127.0.0.1");
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    Context ctx = tomcat.addContext("", base.getAbsolutePath());
    Tomcat.addServlet(ctx, "ok", ok());
    ctx.addServletMappingDecoded("/*", "ok");
    RedactingAccessLogValve valve = new RedactingAccessLogValve();
    valve.setDirectory(dir.toString());
    valve.setPrefix("tomcat-access");
    valve.setSuffix(".log");
    valve.setRotatable(false);
    valve.setBuffered(false);
    valve.setPattern("combined");
    assertThat(valve.getTicketParam()).isEqualTo("slt");
    tomcat.getHost().getPipeline().addValve(valve);
    tomcat.start();
    Path file = dir.resolve("tomcat-access.log");
    try {
      get(URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort()));
      Await.until(Duration.ofSeconds(10), "the access log line", () -> read(file).contains("/events"));
    } finally {
      tomcat.stop();
      tomcat.destroy();
    }
    assertRedacted(read(file));
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
