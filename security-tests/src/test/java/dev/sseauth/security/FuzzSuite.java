package dev.sseauth.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.sseauth.testing.fixtures.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Generated requests against a running server: random and mutated tickets (spent ones), tokens (of a
 * revoked subject, forged, re-signed), {@code Last-Event-ID} values and query strings, to guarded paths,
 * over keep-alive connections from several threads. Expected: no 5xx, no allowed request, no
 * application run. The generator is seeded: the seed is in every failure message, and
 * {@code -Dfuzz.seed=N} replays a run ({@code -Dfuzz.requests=N} changes its size, default 100,000).
 * No fresh credential is ever in the corpus, so nothing the generator makes may legitimately pass.
 */
abstract class FuzzSuite {
  private static final int THREADS = 4;
  private static final String B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  private static final String[] PATHS = {"/events", "/events/", "/events/a", "/EVENTS", "/Events/x/y", "/events;p=1",
      "/a/../events", "/./events", "//events", "/events/.", "/%65vents", "/events/%2e", "/events%2Fx", "/events/%7e"};
  private static final String[] PARAMS = {"slt", "slt", "slt", "%73lt", "SLT", "lastEventId", "topic", "slt[]", "s%6Ct",
      ""};

  Rig rig;

  abstract Target kind();

  @AfterEach
  void stop() throws Exception {
    if (rig != null) {
      rig.close();
    }
  }

  /** The corpus: only spent, revoked, forged or random credentials. */
  private record Corpus(List<String> tickets, List<String> tokens) {}

  private Corpus corpus() throws Exception {
    List<String> tickets = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      String t = rig.ticket("fuzz-" + i);
      assertThat(rig.get("/events?slt=" + t).status()).isEqualTo(200); // spent
      tickets.add(t);
    }
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      tokens.add(rig.token("victim"));
    }
    rig.clock.advance(Duration.ofSeconds(1));
    rig.auth.revokeSubject("victim").toCompletableFuture().join();
    JWTClaimsSet claims = rig.validClaims("victim").build();
    tokens.add(Rig.sign(Rig.header(JWSAlgorithm.RS256, Rig.RS_KID).build(), claims, new RSASSASigner(Rig.ATTACKER_RSA))
        .replace('_', '~'));
    tokens.add(Rig.sign(Rig.header(JWSAlgorithm.HS256, Rig.RS_KID).build(), claims,
        new MACSigner(Rig.RSA.toPublicKey().getEncoded())).replace('_', '~'));
    tokens.add(Rig.sign(Rig.header(JWSAlgorithm.HS256, Rig.HS_KID).build(), claims,
        new MACSigner("another-secret-0123456789-0123456789-abcdef".getBytes(StandardCharsets.US_ASCII))).replace('_', '~'));
    tokens.add((Base64URL.encode("{\"alg\":\"none\",\"typ\":\"sseauth+jwt\",\"kid\":\"rs1\"}") + "."
        + Base64URL.encode(claims.toString()) + ".").replace('_', '~'));
    // correctly signed, but for a revoked subject, another issuer, or past the absolute cap
    tokens.add(Rig.signWithServerKey(Rig.header(JWSAlgorithm.RS256, Rig.RS_KID).build(),
        rig.validClaims("victim").claim("sst", rig.clock.instant().minusSeconds(10).toEpochMilli()).build())
        .replace('_', '~'));
    tokens.add(Rig.signWithServerKey(Rig.header(JWSAlgorithm.RS256, Rig.RS_KID).build(),
        rig.validClaims("alice").issuer("https://evil.example").build()).replace('_', '~'));
    tokens.add(Rig.signWithServerKey(Rig.header(JWSAlgorithm.RS256, Rig.RS_KID).build(),
        rig.validClaims("alice").claim("sst", rig.clock.instant().minus(Duration.ofDays(2)).toEpochMilli()).build())
        .replace('_', '~'));
    return new Corpus(List.copyOf(tickets), List.copyOf(tokens));
  }

  /** Makes requests; one per thread, seeded from the run's seed. */
  private static final class Generator {
    private final Random r;
    private final Corpus c;

    Generator(long seed, Corpus c) {
      this.r = new Random(seed);
      this.c = c;
    }

    private <T> T pick(List<T> list) {
      return list.get(r.nextInt(list.size()));
    }

    private String randomB64(int len) {
      StringBuilder sb = new StringBuilder(len);
      for (int i = 0; i < len; i++) {
        sb.append(B64URL.charAt(r.nextInt(B64URL.length())));
      }
      return sb.toString();
    }

    /** A random char: mostly printable ASCII, sometimes a high byte, rarely a control byte. */
    private char randomChar() {
      int p = r.nextInt(100);
      if (p < 80) {
        return (char) (0x21 + r.nextInt(0x5E));
      } else if (p < 97) {
        return (char) (0x80 + r.nextInt(0x80));
      }
      return "\u0000\t\r\n\u007f \u001b".charAt(r.nextInt(7));
    }

    String mutate(String s) {
      StringBuilder sb = new StringBuilder(s);
      int n = 1 + r.nextInt(3);
      for (int k = 0; k < n; k++) {
        int len = sb.length();
        int at = len == 0 ? 0 : r.nextInt(len);
        switch (r.nextInt(12)) {
          case 0 -> { if (len > 0) { sb.setCharAt(at, B64URL.charAt(r.nextInt(B64URL.length()))); } }
          case 1 -> sb.insert(at, randomChar());
          case 2 -> { if (len > 0) { sb.deleteCharAt(at); } }
          case 3 -> sb.setLength(at);
          case 4 -> sb.append(sb, 0, Math.min(len, r.nextInt(64)));
          case 5 -> { if (len > 0) { sb.setCharAt(at, "~_.-=&%+".charAt(r.nextInt(8))); } }
          case 6 -> { if (len > 0) { sb.replace(at, at + 1, String.format("%%%02X", (int) sb.charAt(at) & 0xFF)); } }
          case 7 -> sb.insert(at, '.');
          case 8 -> { if (len > 0) { char ch = sb.charAt(at); sb.setCharAt(at, Character.isUpperCase(ch)
              ? Character.toLowerCase(ch) : Character.toUpperCase(ch)); } }
          case 9 -> sb.insert(at, randomB64(1 + r.nextInt(8)));
          case 10 -> { if (len > 0) { sb.setCharAt(at, (char) (sb.charAt(at) ^ (1 << r.nextInt(7)))); } }
          default -> sb.reverse();
        }
      }
      return sb.toString();
    }

    private String credential() {
      return switch (r.nextInt(8)) {
        case 0 -> pick(c.tickets);
        case 1, 2 -> mutate(pick(c.tickets));
        case 3 -> randomB64(43);
        case 4 -> pick(c.tokens);
        case 5 -> mutate(pick(c.tokens));
        case 6 -> randomB64(r.nextInt(80));
        default -> mutate(randomB64(10 + r.nextInt(60)));
      };
    }

    /** Query text: percent-encodes what a request line cannot carry (mostly). */
    private String queryValue(String v) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < v.length(); i++) {
        char ch = v.charAt(i);
        boolean safe = ch > 0x20 && ch < 0x7f && ch != '#';
        if (safe || r.nextInt(500) == 0) {
          sb.append(ch);
        } else {
          for (byte b : String.valueOf(ch).getBytes(StandardCharsets.UTF_8)) {
            sb.append(String.format("%%%02X", b & 0xFF));
          }
        }
      }
      return sb.toString();
    }

    private String query() {
      int parts = r.nextInt(4);
      List<String> q = new ArrayList<>();
      for (int i = 0; i < parts; i++) {
        String name = PARAMS[r.nextInt(PARAMS.length)];
        q.add(r.nextInt(10) == 0 ? queryValue(credential()) : name + "=" + queryValue(credential()));
      }
      String s = String.join(r.nextInt(10) == 0 ? ";" : "&", q);
      return r.nextInt(10) == 0 ? mutate(s) : s;
    }

    private String lastEventId() {
      String appId = switch (r.nextInt(5)) {
        case 0 -> "";
        case 1 -> String.valueOf(r.nextInt(1000));
        case 2 -> mutate("41_x");
        case 3 -> String.valueOf(randomChar()) + randomChar();
        default -> "1";
      };
      return switch (r.nextInt(6)) {
        case 0 -> mutate(pick(c.tokens)) + "_" + appId;
        case 1 -> pick(c.tokens) + "_" + appId;
        case 2 -> mutate(pick(c.tokens) + "_" + appId);
        case 3 -> credential();
        case 4 -> r.nextInt(50) == 0 ? "9".repeat(4000 + r.nextInt(6000)) : mutate(randomB64(r.nextInt(300)) + "_");
        default -> pick(c.tickets) + "_" + appId;
      };
    }

    byte[] next() {
      StringBuilder sb = new StringBuilder(512);
      String path = PATHS[r.nextInt(PATHS.length)];
      String method = r.nextInt(50) == 0 ? pick(List.of("HEAD", "OPTIONS", "POST", "get")) : "GET";
      sb.append(method).append(' ').append(path);
      if (r.nextInt(10) != 0) {
        sb.append('?').append(query());
      }
      // the request line stays one line (a broken line is requestLineWhenMalformed... in the attack suite)
      for (int i = 0; i < sb.length(); i++) {
        char ch = sb.charAt(i);
        if (ch == ' ' && i > method.length() || ch == '\r' || ch == '\n' || ch == '\t') {
          sb.replace(i, i + 1, String.format("%%%02X", (int) ch));
        }
      }
      sb.append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      int leis = r.nextInt(10) == 0 ? 2 : r.nextInt(10) < 3 ? 0 : 1;
      for (int i = 0; i < leis; i++) {
        String name = r.nextInt(20) == 0 ? pick(List.of("last-event-id", "LAST-EVENT-ID", "Last-Event-Id")) : "Last-Event-ID";
        String v = lastEventId();
        if (r.nextInt(20) != 0) {
          v = v.replace('\r', ' ').replace('\n', ' '); // mostly one well-formed header line
        }
        sb.append(name).append(": ").append(v).append("\r\n");
      }
      if (r.nextInt(8) == 0) {
        sb.append("Origin: ").append(r.nextBoolean() ? Rig.ORIGIN : mutate(Rig.ORIGIN)).append("\r\n");
      }
      if (method.equals("POST")) {
        sb.append("Content-Length: 0\r\n");
      }
      sb.append("\r\n");
      return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  private static String show(byte[] request) {
    StringBuilder sb = new StringBuilder();
    for (byte b : request) {
      int c = b & 0xFF;
      sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : c == '\n' ? "\\n" : String.format("\\x%02X", c));
    }
    return sb.length() > 600 ? sb.substring(0, 600) + "..." : sb.toString();
  }

  static long seed() {
    String s = System.getProperty("fuzz.seed", "").trim();
    return s.isEmpty() || s.startsWith("$") ? ThreadLocalRandom.current().nextLong() : Long.parseLong(s);
  }

  static int requests() {
    String s = System.getProperty("fuzz.requests", "").trim();
    return s.isEmpty() || s.startsWith("$") ? 100_000 : Integer.parseInt(s);
  }

  @Test
  void fuzzWhenGeneratedRequestsHitGuardedPathsThenNo5xxNoneAllowedAndApplicationNeverRuns() throws Exception {
    long seed = seed();
    int total = requests();
    rig = new Rig(kind(), b -> b);
    Corpus corpus = corpus();
    int baseline = rig.app.runs();
    Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    List<String> bad = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicInteger noResponse = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    long started = System.nanoTime();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        Generator g = new Generator(seed + t, corpus);
        int share = total / THREADS + (t < total % THREADS ? 1 : 0);
        futures.add(pool.submit(() -> {
          RawHttp.Connection conn = null;
          for (int i = 0; i < share; i++) {
            byte[] req = g.next();
            boolean head = RawHttp.isHead(req);
            RawHttp.Response resp = null;
            for (int attempt = 0; attempt < 2 && resp == null; attempt++) {
              try {
                if (conn == null) {
                  conn = new RawHttp.Connection(rig.server);
                }
                resp = conn.exchange(req, head);
              } catch (IOException e) {
                if (conn != null) {
                  conn.close();
                }
                conn = null;
              }
            }
            if (resp == null) {
              noResponse.incrementAndGet(); // the server closed the connection on a malformed request
              continue;
            }
            statuses.computeIfAbsent(resp.status(), k -> new AtomicLong()).incrementAndGet();
            if (resp.status() >= 500 || resp.status() < 400 || resp.eventStream()) {
              if (bad.size() < 20) {
                bad.add(resp.status() + " for " + show(req));
              }
            }
            if (resp.closes()) {
              conn.close();
              conn = null;
            }
          }
          if (conn != null) {
            conn.close();
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    long ms = (System.nanoTime() - started) / 1_000_000;
    String summary = kind() + " fuzz seed=" + seed + " (replay: -Dfuzz.seed=" + seed + "), " + total + " requests in "
        + ms + " ms, statuses " + new TreeMap<>(statuses) + ", closed without a response " + noResponse.get();
    System.out.println(summary);
    assertThat(bad).as("5xx or non-refusals; " + summary).isEmpty();
    assertThat(rig.app.runs() - baseline).as("application runs; " + summary).isZero();
    long answered = statuses.values().stream().mapToLong(AtomicLong::get).sum();
    assertThat(answered + noResponse.get()).as(summary).isEqualTo(total);
    assertThat(noResponse.get()).as("requests the server dropped unanswered; " + summary).isLessThan(total / 100);
  }
}
