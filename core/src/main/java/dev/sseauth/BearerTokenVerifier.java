package dev.sseauth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.sseauth.internal.CoreKeys;
import dev.sseauth.internal.Secrets;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Verifies the application's own {@code Authorization: Bearer <JWT>} access tokens at the ticket
 * endpoint, for applications whose API authenticates with bearer JWTs rather than container or Spring
 * Security principals. Keys come from configuration (an HS256 secret or a JWK set file) or from the identity
 * provider's JWK set URL ({@link #remote}); {@code sub} and
 * {@code exp} are required; {@code iss}/{@code aud} are checked when configured. String claims named in
 * {@code attributeClaims} become the principal's attributes.
 *
 * <p>Immutable and thread-safe. Configured with {@code sseauth.bearer.*}.
 */
public final class BearerTokenVerifier {
  private static final int MAX_LENGTH = 8192;

  /** What a remote JWK set may sign with: public-key algorithms only, never a shared secret. */
  private static final Set<JWSAlgorithm> REMOTE_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
      JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
      JWSAlgorithm.ES384, JWSAlgorithm.ES512);
  /** Runs remote verifications off the caller's thread ({@link #verifyAsync}): few threads, a bounded queue. */
  private static final ThreadPoolExecutor REMOTE = daemonPool("sse-auth-jwks", 4, 1024);
  /** Runs the fetches themselves, so that a caller waits for one at most its whole deadline. */
  private static final ThreadPoolExecutor FETCHES = daemonPool("sse-auth-jwks-fetch", 2, 16);

  private static ThreadPoolExecutor daemonPool(String name, int threads, int queue) {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(queue), r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true); // no thread kept while nothing is verified
    return pool;
  }

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final JWKSource<SecurityContext> keys;
  private final Set<JWSAlgorithm> algorithms;
  private final boolean remote;
  private final String issuer;
  private final String audience;
  private final List<String> attributeClaims;

  private BearerTokenVerifier(JWKSource<SecurityContext> keys, Set<JWSAlgorithm> algorithms, boolean remote,
      String issuer, String audience, List<String> attributeClaims, Clock clock) {
    this.keys = keys;
    this.algorithms = algorithms;
    this.remote = remote;
    this.issuer = issuer;
    this.audience = audience;
    processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
    JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
    if (issuer != null) {
      exact.issuer(issuer);
    }
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
        audience == null ? null : Set.of(audience), exact.build(), Set.of("sub", "exp"), null) {
      @Override
      protected Date currentTime() {
        return Date.from(clock.instant());
      }
    };
    processor.setJWTClaimsSetVerifier(claims);
    this.attributeClaims = List.copyOf(attributeClaims);
  }

  /**
   * A verifier for HS256 tokens signed with {@code secret}.
   *
   * @throws IllegalArgumentException if the secret is shorter than 32 bytes; the message never shows it
   */
  public static BearerTokenVerifier hmac(byte[] secret, String issuer, String audience, List<String> attributeClaims,
      Clock clock) {
    if (secret.length < 32) {
      throw CoreKeys.BEARER_SECRET.error("must be at least 256 bits (32 bytes)");
    }
    JWK key = new OctetSequenceKey.Builder(secret.clone()).algorithm(JWSAlgorithm.HS256).build();
    return local(new JWKSet(key), issuer, audience, attributeClaims, clock);
  }

  private static BearerTokenVerifier local(JWKSet keys, String issuer, String audience, List<String> attributeClaims,
      Clock clock) {
    Set<JWSAlgorithm> algs = new HashSet<>();
    for (JWK k : keys.getKeys()) {
      algs.add(k.getAlgorithm() != null ? JWSAlgorithm.parse(k.getAlgorithm().getName())
          : k instanceof OctetSequenceKey ? JWSAlgorithm.HS256 : JWSAlgorithm.RS256);
    }
    return new BearerTokenVerifier(new ImmutableJWKSet<>(keys), Set.copyOf(algs), false, issuer, audience,
        attributeClaims, clock);
  }

  /**
   * A verifier for tokens signed by the keys an identity provider publishes at {@code jwksUri}
   * ({@code sseauth.bearer.jwks-uri}): RSA or EC signatures, never HMAC. The JWK set is fetched when first
   * needed and cached for five minutes; a token whose {@code kid} is not in the cache makes it fetch again
   * at once (the provider rotated its keys), at most once every 30 seconds. Each fetch may take
   * {@code timeout} to connect and as long again to read, and the document at most 1 MB. When the keys
   * cannot be had, {@link #verify} throws {@link KeysUnavailableException}: the ticket endpoint answers 503,
   * never a ticket.
   *
   * @param jwksUri an {@code http} or {@code https} URI
   * @throws IllegalArgumentException if it is not one
   */
  public static BearerTokenVerifier remote(URI jwksUri, Duration timeout, String issuer, String audience,
      List<String> attributeClaims, Clock clock) {
    URL url;
    try {
      String scheme = jwksUri.getScheme() == null ? "" : jwksUri.getScheme().toLowerCase(java.util.Locale.ROOT);
      if (!scheme.equals("https") && !(scheme.equals("http") && loopback(jwksUri.getHost()))) {
        throw new IllegalArgumentException("not https");
      }
      url = jwksUri.toURL();
    } catch (IllegalArgumentException | MalformedURLException e) {
      throw CoreKeys.BEARER_JWKS_URI.error("must be an https URI (http only on the loopback interface)");
    }
    int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    DefaultResourceRetriever direct = new DefaultResourceRetriever(ms, ms, 1024 * 1024);
    ResourceRetriever bounded = u -> { // the whole fetch, not each read, within twice the timeout
      Future<Resource> f;
      try {
        f = FETCHES.submit(() -> direct.retrieveResource(u));
      } catch (RejectedExecutionException e) {
        throw new IOException("too many JWK set fetches at once");
      }
      try {
        return f.get(2L * ms, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getClass().getName());
      } catch (TimeoutException e) {
        f.cancel(true);
        throw new IOException("the JWK set took longer than " + 2L * ms + " ms");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    };
    JWKSource<SecurityContext> source = JWKSourceBuilder.<SecurityContext>create(url, bounded)
        .cache(JWKSourceBuilder.DEFAULT_CACHE_TIME_TO_LIVE, 3L * ms)
        .refreshAheadCache(false) // its refresher thread would be a non-daemon the verifier never stops
        .rateLimited(JWKSourceBuilder.DEFAULT_RATE_LIMIT_MIN_INTERVAL)
        .build();
    return new BearerTokenVerifier(source, REMOTE_ALGORITHMS, true, issuer, audience, attributeClaims, clock);
  }

  private static boolean loopback(String host) {
    return host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]")
        || host.equals("::1"));
  }

  /**
   * A verifier for tokens signed by any key of a JWK set document (public keys suffice).
   *
   * @throws IllegalArgumentException if the document is not a JWK set
   */
  public static BearerTokenVerifier jwkSet(String json, String issuer, String audience, List<String> attributeClaims,
      Clock clock) {
    JWKSet keys;
    try {
      keys = Secrets.jwkSet(json);
    } catch (IllegalArgumentException e) {
      throw CoreKeys.BEARER_JWKS_FILE.error(e.getMessage());
    }
    return local(keys, issuer, audience, attributeClaims, clock);
  }

  /**
   * The same verifier deciding expiry by {@code clock}; {@link SseAuthConfig} applies its own clock. A remote
   * one shares its cache of keys.
   */
  public BearerTokenVerifier withClock(Clock clock) {
    return new BearerTokenVerifier(keys, algorithms, remote, issuer, audience, attributeClaims, clock);
  }

  /**
   * The principal of an {@code Authorization} header value, if it is a valid bearer JWT.
   *
   * @param authorization the header value, such as {@code Bearer eyJ...}; may be null
   * @return the principal, or empty for a missing, malformed, forged or expired token
   * @throws KeysUnavailableException if the keys come from a JWK set URL that cannot be fetched now; never
   *     for client input otherwise
   */
  public Optional<SsePrincipal> verify(String authorization) {
    if (authorization == null || authorization.length() > MAX_LENGTH
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String jwt = authorization.substring(7).trim();
    try {
      JWTClaimsSet c = processor.process(jwt, null);
      Map<String, String> attributes = new LinkedHashMap<>();
      for (String name : attributeClaims) {
        Object v = c.getClaim(name);
        if (v instanceof String s) {
          attributes.put(name, s);
        }
      }
      String sub = c.getSubject();
      return sub == null || sub.isEmpty() ? Optional.empty() : Optional.of(new SsePrincipal(sub, attributes));
    } catch (RateLimitReachedException e) {
      // a kid not among the cached keys, and no refetch allowed yet: refused as invalid (401); anyone can send
      // unknown kids, and that must not turn into 503s for everyone
      return Optional.empty();
    } catch (KeySourceException e) { // the keys, not the token: refuse as unavailable, never allow
      throw new KeysUnavailableException(e.getClass().getSimpleName());
    } catch (Exception e) { // rejection of client input, never an error
      return Optional.empty();
    }
  }

  /**
   * {@link #verify}, for callers that must not block (an event loop): with keys from configuration it
   * completes at once; with a JWK set URL it runs on a small pool of sse-auth's, since a fetch may take
   * the timeout. A full pool or unavailable keys complete it with {@link KeysUnavailableException}.
   */
  public CompletionStage<Optional<SsePrincipal>> verifyAsync(String authorization) {
    if (!remote) {
      try {
        return CompletableFuture.completedFuture(verify(authorization));
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    try {
      return CompletableFuture.supplyAsync(() -> verify(authorization), REMOTE);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new KeysUnavailableException("too many verifications waiting"));
    }
  }

  @Override
  public String toString() {
    return "BearerTokenVerifier[" + (remote ? "remote, " : "") + "attributeClaims=" + attributeClaims + "]";
  }
}
