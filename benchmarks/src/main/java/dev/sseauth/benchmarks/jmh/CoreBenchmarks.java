package dev.sseauth.benchmarks.jmh;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Decision;
import dev.sseauth.IssuedTicket;
import dev.sseauth.adapter.LiveStream;
import dev.sseauth.Reason;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.StreamOutput;
import dev.sseauth.adapter.StreamRequest;
import dev.sseauth.TokenFormat;
import dev.sseauth.internal.Tickets;
import dev.sseauth.internal.TokenService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The core's per-request and per-byte costs, each next to the baseline the issue names, measured in
 * the same run. Times are average nanoseconds per operation; the stream benchmarks process
 * {@link StreamState#STREAM_BYTES} bytes per operation (MB/s is derived in the report).
 *
 * <p>Benchmark names are part of the report's contract ({@code dev.sseauth.benchmarks.Report}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CoreBenchmarks {
  static final byte[] SECRET = java.util.Base64.getDecoder().decode("rlhY4boSxYcfr7J19+eG3UIM403TNUoqVcFbyMa3VP4=");

  static SseAuthConfig config() {
    return SseAuthConfig.builder()
        .tokenSecret(SECRET)
        .ticketMaxPerSubject(10_000)
        .build();
  }

  static <T> T join(java.util.concurrent.CompletionStage<T> s) {
    return s.toCompletableFuture().join();
  }

  /** An sse-auth instance with one valid session token, fresh per trial. */
  @State(Scope.Benchmark)
  public static class AuthState {
    static final int SUBJECTS = 1 << 16;
    SseAuth auth;
    TokenService tokens;
    SsePrincipal[] principals;
    String lastEventId;
    String jws;
    MACVerifier macVerifier;
    MACSigner macSigner;
    JWTClaimsSet sameClaims;
    int next;

    @Setup(Level.Trial)
    public void setUp() throws JOSEException {
      SseAuthConfig config = config();
      auth = SseAuth.create(config);
      tokens = new TokenService(config, () -> "bEnChMaRk-dEpL0y"); // a default audience of the usual length
      principals = new SsePrincipal[SUBJECTS];
      for (int i = 0; i < SUBJECTS; i++) {
        principals[i] = SsePrincipal.of("user-" + i + "@example.com");
      }
      IssuedTicket t = (IssuedTicket) join(auth.issueTicket(principals[0]));
      Allowed a = (Allowed) join(auth.decide(StreamRequest.get("slt=" + t.ticket(), null, null)));
      String handshake = new String(a.handshake(), StandardCharsets.US_ASCII);
      int at = handshake.indexOf("\nid: ") + 5;
      String composite = handshake.substring(at, handshake.indexOf('\n', at)); // "<wire token>_"
      lastEventId = composite + "41";
      // the nimbus baselines parse a JWS: the same session's token in that form (sse-auth mints compact ones by default)
      Instant now = Instant.now();
      jws = new TokenService(config.toBuilder().tokenFormat(TokenFormat.JWS).build(), () -> "bEnChMaRk-dEpL0y")
          .mint(principals[0], Tickets.randomId(12), now, null, now).token();
      macVerifier = new MACVerifier(SECRET);
      macSigner = new MACSigner(SECRET);
      try {
        sameClaims = SignedJWT.parse(jws).getJWTClaimsSet();
      } catch (ParseException e) {
        throw new IllegalStateException(e);
      }
    }

    SsePrincipal nextPrincipal() {
      return principals[next++ & (SUBJECTS - 1)];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      auth.close();
    }
  }

  /** Tickets issued ahead of an invocation that redeems them all. */
  @State(Scope.Thread)
  public static class TicketBatch {
    static final int BATCH = 256;
    final String[] queries = new String[BATCH];

    @Setup(Level.Invocation)
    public void issue(AuthState s) {
      for (int i = 0; i < BATCH; i++) {
        queries[i] = "slt=" + ((IssuedTicket) join(s.auth.issueTicket(s.nextPrincipal()))).ticket();
      }
    }
  }

  /** A typical stream: 100-byte events, each with an id, and a live stream that rewrites it. */
  @State(Scope.Thread)
  public static class StreamState {
    /** Bytes per operation of the stream benchmarks. */
    public static final int STREAM_BYTES = 64 * 1024;
    /** Bytes per event. */
    public static final int EVENT_BYTES = 100;
    byte[] stream;
    LiveStream live;
    final OutputStream sink = new Sink();

    @Setup(Level.Trial)
    public void setUp(AuthState s) {
      stream = typicalStream(STREAM_BYTES);
      Allowed a = (Allowed) join(s.auth.decide(StreamRequest.get(null, s.lastEventId, null)));
      live = a.open(new StreamOutput() {
        @Override
        public void execute(Runnable task) {}

        @Override
        public void write(byte[] bytes) {}

        @Override
        public void end(Reason reason) {}
      });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      live.close();
    }
  }

  /** Events of exactly {@link StreamState#EVENT_BYTES} bytes ({@code id: N}, one data line), up to {@code size}. */
  public static byte[] typicalStream(int size) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(size + 200);
    long id = 1_000_000;
    while (out.size() < size) {
      String head = "id: " + id++ + "\ndata: ";
      int pad = StreamState.EVENT_BYTES - head.length() - 2;
      StringBuilder e = new StringBuilder(head);
      for (int i = 0; i < pad; i++) {
        e.append((char) ('a' + i % 26));
      }
      e.append("\n\n");
      out.writeBytes(e.toString().getBytes(StandardCharsets.US_ASCII));
    }
    byte[] b = out.toByteArray();
    return java.util.Arrays.copyOf(b, size - size % StreamState.EVENT_BYTES);
  }

  /** An output stream that keeps nothing but cannot be optimised away. */
  static final class Sink extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len + b[off];
    }
  }

  /** The map of the map baseline. */
  @State(Scope.Thread)
  public static class MapState {
    final ConcurrentHashMap<String, String> map = new ConcurrentHashMap<>();
  }

  // ---- tickets ----

  /**
   * A fresh sse-auth instance per iteration for {@link #issueTicket}: outstanding tickets pile up
   * while it runs, each of a new subject (as many users asking once), so the store never holds more
   * than one iteration's worth.
   */
  @State(Scope.Thread)
  public static class IssueState {
    SseAuth auth;
    long subject;

    @Setup(Level.Iteration)
    public void setUp() {
      auth = SseAuth.create(config());
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
      auth.close();
    }
  }

  /** Issues a ticket (256 random bits, SHA-256, store put with the per-subject cap). */
  @Benchmark
  public Object issueTicket(IssueState s) {
    return join(s.auth.issueTicket(SsePrincipal.of("user-" + s.subject++ + "@example.com")));
  }

  /** Redeems a ticket: parse the query, atomic take, revocation check, mint the token, build the handshake. */
  @Benchmark
  @OperationsPerInvocation(TicketBatch.BATCH)
  public void redeemTicket(AuthState s, TicketBatch batch, Blackhole bh) {
    for (String q : batch.queries) {
      bh.consume(join(s.auth.decide(StreamRequest.get(q, null, null))));
    }
  }

  /** Baseline: a ConcurrentHashMap put and remove of a 256-bit key from the same random source. */
  @Benchmark
  public Object baselineMapPutRemove(MapState m) {
    String key = Tickets.newTicket();
    m.map.put(key, key);
    return m.map.remove(key);
  }

  // ---- tokens ----

  /** Mints (signs) a session token. */
  @Benchmark
  public Object mintSessionToken(AuthState s) {
    Instant now = Instant.now();
    return s.tokens.mint(s.principals[1], "session-id-1", now, null, now).token();
  }

  /** Baseline: nimbus HS256 sign of the same claims alone. */
  @Benchmark
  public String baselineNimbusHs256Sign(AuthState s) throws JOSEException {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), s.sameClaims);
    jwt.sign(s.macSigner);
    return jwt.serialize();
  }

  /** Judges a reconnect: parse the Last-Event-ID, verify the token and its claims, check revocation, build the decision. */
  @Benchmark
  public Decision judgeReconnect(AuthState s) {
    return join(s.auth.decide(StreamRequest.get(null, s.lastEventId, null)));
  }

  /** Baseline: nimbus-jose-jwt HS256 verify of the same token alone (parse and check the signature). */
  @Benchmark
  public boolean baselineNimbusHs256Verify(AuthState s) throws ParseException, JOSEException {
    return SignedJWT.parse(s.jws).verify(s.macVerifier);
  }

  /**
   * Context: what a minimal "JWT in the query string" filter does per request: parse, check the
   * signature, read the claims and check {@code sub} and {@code exp}.
   */
  @Benchmark
  public boolean baselineNimbusHs256VerifyAndClaims(AuthState s) throws ParseException, JOSEException {
    SignedJWT jwt = SignedJWT.parse(s.jws);
    if (!jwt.verify(s.macVerifier)) {
      return false;
    }
    JWTClaimsSet c = jwt.getJWTClaimsSet();
    return c.getSubject() != null && c.getExpirationTime() != null && c.getExpirationTime().after(new java.util.Date());
  }

  // ---- the stream ----

  /** Rewrites a typical stream through a live stream (64 KiB per operation). */
  @Benchmark
  public long rewriteStream(StreamState st) throws IOException {
    st.live.write(st.stream, 0, st.stream.length, st.sink);
    return ((Sink) st.sink).count;
  }

  /** Baseline: a scan of the same stream for line ends (64 KiB per operation). */
  @Benchmark
  public int baselineLineEndScan(StreamState st) {
    byte[] b = st.stream;
    int lines = 0;
    for (byte c : b) {
      if (c == '\n' || c == '\r') {
        lines++;
      }
    }
    return lines;
  }

}
