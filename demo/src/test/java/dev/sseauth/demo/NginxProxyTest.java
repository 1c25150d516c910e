package dev.sseauth.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.testing.Await;
import dev.sseauth.testing.fixtures.MiniJson;
import dev.sseauth.testing.fixtures.SseLines;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The demo behind a real nginx (Debian's package, installed by {@code scripts/test.sh}) on a loopback port,
 * configured as the docs say but with {@code proxy_read_timeout 1s} and nginx's default
 * {@code proxy_buffering on} (sse-auth's {@code X-Accel-Buffering: no} turns it off per response): the
 * demo's feed ticks once an hour, so its streams are quiet but for sse-auth's heartbeat (every 200 ms here).
 */
class NginxProxyTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration WAIT = Duration.ofSeconds(10);

  private DemoServer demo;
  private Process nginx;
  private Path dir;
  private URI proxy;

  private void start(String server, String heartbeat) throws Exception {
    demo = DemoServer.builder().port(0).readEnvironment(false).tickInterval(Duration.ofHours(1))
        .setting("sseauth.heartbeat", heartbeat).setting("sseauth.stream.check-interval", "50ms").start();
    URI upstream = server.equals("servlet") ? demo.servletUri() : demo.nettyUri();
    dir = Files.createTempDirectory("sse-auth-nginx-");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Files.writeString(dir.resolve("nginx.conf"), """
        daemon off;
        master_process off;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log;
        events { worker_connections 64; }
        http {
          access_log off;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          server {
            listen 127.0.0.1:%2$d;
            location / {
              proxy_pass http://127.0.0.1:%3$d;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
              proxy_read_timeout 1s;
            }
          }
        }
        """.formatted(dir, port, upstream.getPort()));
    try {
      String command = Files.isExecutable(Path.of("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
      nginx = new ProcessBuilder(command, "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile()).start();
    } catch (IOException e) {
      throw new AssertionError("nginx is not installed: run scripts/test.sh (it installs Debian's nginx)", e);
    }
    Await.until(WAIT, "nginx to listen", () -> {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return true;
      } catch (IOException e) {
        return false;
      }
    });
    proxy = URI.create("http://127.0.0.1:" + port);
  }

  @AfterEach
  void stop() throws Exception {
    if (nginx != null) {
      nginx.destroyForcibly().waitFor();
    }
    if (demo != null) {
      demo.close();
    }
    if (dir != null) {
      try (var walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private String ticket() throws Exception {
    HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(proxy.resolve("/api/login"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"alice\",\"password\":\"alice\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(login.statusCode()).isEqualTo(200);
    String access = (String) MiniJson.object(login.body()).get("accessToken");
    HttpResponse<String> t = HTTP.send(HttpRequest.newBuilder(proxy.resolve("/sse/ticket"))
        .header("Authorization", "Bearer " + access).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(t.statusCode()).as(t.body()).isEqualTo(200);
    return (String) MiniJson.object(t.body()).get("ticket");
  }

  @ParameterizedTest
  @ValueSource(strings = {"servlet", "netty"})
  void streamWhenQuietBehindNginxThenItArrivesUnbufferedOutlivesTheReadTimeoutAndItsTokenReconnects(String server)
      throws Exception {
    start(server, "200ms");
    String token;
    try (SseLines s = SseLines.open(proxy.resolve("/events?slt=" + ticket()), Map.of())) {
      assertThat(s.header("X-Accel-Buffering")).isNull(); // sent by sse-auth; nginx obeys it and keeps it to itself
      // the handshake and each heartbeat, a few bytes each, come through as they are written
      Await.until(WAIT, "the handshake through nginx", () -> !s.ids().isEmpty());
      token = s.ids().get(0);
      // five times nginx's proxy_read_timeout of 1 s without an event: the heartbeats keep it open
      Await.until(WAIT, "25 heartbeats (5 s)", () -> s.lines().stream().filter(":"::equals).count() >= 25);
      assertThat(s.ended()).as("the stream outlived proxy_read_timeout").isFalse();
    }
    // the reconnect carries the token in Last-Event-ID through nginx
    try (SseLines again = SseLines.open(proxy.resolve("/events"), Map.of("Last-Event-ID", token))) {
      assertThat(again.status()).isEqualTo(200);
      again.awaitLine(":", WAIT);
    }
    try (SseLines forged = SseLines.open(proxy.resolve("/events"), Map.of("Last-Event-ID", "x" + token))) {
      assertThat(forged.status()).isEqualTo(401);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"servlet", "netty"})
  void streamWhenQuietBehindNginxWithoutHeartbeatsThenNginxCutsIt(String server) throws Exception {
    start(server, "0");
    try (SseLines s = SseLines.open(proxy.resolve("/events?slt=" + ticket()), Map.of())) {
      Await.until(WAIT, "the handshake through nginx", () -> !s.ids().isEmpty());
      assertThat(s.awaitEnd(WAIT)).as("nginx ends the quiet stream after proxy_read_timeout").isTrue();
    }
  }
}
