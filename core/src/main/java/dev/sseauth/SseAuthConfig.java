package dev.sseauth;

import com.nimbusds.jose.JWSAlgorithm;
import dev.sseauth.internal.ConfigReader;
import dev.sseauth.internal.CoreKeys;
import dev.sseauth.internal.PathMatcher;
import dev.sseauth.internal.Secrets;
import dev.sseauth.spi.ConfigKey;
import dev.sseauth.spi.SseAuthStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * The immutable configuration of an {@link SseAuth}: built with {@link #builder()} or read from
 * {@code sseauth.*} properties with {@link #fromProperties}. Every value is validated when it is set
 * and the whole in {@link Builder#build()}; a bad value fails with a message naming the key, and the value
 * unless it may hold a credential (see {@link #builder()}). Every key is declared once, with its type,
 * default, allowed values and description, in the table {@link #keys()} returns (a store's keys in its
 * {@link dev.sseauth.spi.StoreProvider#configKeys()}); {@code docs/configuration.md} lists them all,
 * rendered from that table.
 *
 * <p>Immutable and thread-safe.
 */
public final class SseAuthConfig {
  private final List<String> paths;
  private final String ticketPath;
  private final String ticketParam;
  private final Duration ticketTtl;
  private final int maxTicketsPerSubject;
  private final String resumeParam;
  private final SessionKey signingKey;
  private final List<SessionKey> verificationKeys;
  private final Duration tokenTtl;
  private final Duration rotateAfter;
  private final Duration clockSkew;
  private final String issuer;
  private final String audience;
  private final TokenFormat tokenFormat;
  private final int maxTokenLength;
  private final Duration sessionMaxLifetime;
  private final HandshakeMode handshakeMode;
  private final String authEvent;
  private final String rotationEvent;
  private final Duration retry;
  private final char separator;
  private final Set<String> allowedOrigins;
  private final String storeName;
  private final Map<String, String> storeProperties;
  private final SseAuthStore store;
  private final Duration storeTimeout;
  private final Duration checkInterval;
  private final int retryJitter;
  private final Duration heartbeat;
  private final Clock clock;
  private final SseAuthListener listener;
  private final BearerTokenVerifier bearerVerifier;
  private final PathMatcher pathMatcher;

  private SseAuthConfig(Builder b) {
    paths = List.copyOf(b.paths);
    ticketPath = b.ticketPath;
    ticketParam = b.ticketParam;
    ticketTtl = b.ticketTtl;
    maxTicketsPerSubject = b.maxTicketsPerSubject;
    resumeParam = b.resumeParam;
    signingKey = b.signingKey;
    verificationKeys = List.copyOf(b.verificationKeys);
    tokenTtl = b.tokenTtl;
    rotateAfter = b.rotateAfter;
    clockSkew = b.clockSkew;
    issuer = b.issuer;
    audience = b.audience;
    tokenFormat = b.tokenFormat;
    maxTokenLength = b.maxTokenLength;
    sessionMaxLifetime = b.sessionMaxLifetime;
    handshakeMode = b.handshakeMode;
    authEvent = b.authEvent;
    rotationEvent = b.rotationEvent;
    retry = b.retry;
    separator = b.separator;
    allowedOrigins = Set.copyOf(b.allowedOrigins);
    storeName = b.storeName;
    storeProperties = Map.copyOf(b.storeProperties);
    store = b.store;
    storeTimeout = b.storeTimeout;
    checkInterval = b.checkInterval;
    retryJitter = b.retryJitter;
    heartbeat = b.heartbeat;
    clock = b.clock;
    listener = b.listener;
    bearerVerifier = b.bearerVerifier == null ? null : b.bearerVerifier.withClock(b.clock);
    pathMatcher = new PathMatcher(paths);
  }

  /** A builder with every default set; a signing key must still be given. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads every {@code sseauth.*} key of {@code properties}; other keys are ignored.
   *
   * @throws IllegalArgumentException on an unknown {@code sseauth.*} key or a bad value, naming the key
   */
  public static SseAuthConfig fromProperties(Properties properties) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String name : properties.stringPropertyNames()) {
      map.put(name, properties.getProperty(name));
    }
    return fromMap(map);
  }

  /**
   * Reads every {@code sseauth.*} key of {@code properties}; other keys are ignored.
   *
   * @throws IllegalArgumentException on an unknown {@code sseauth.*} key or a bad value, naming the key
   */
  public static SseAuthConfig fromMap(Map<String, String> properties) {
    return ConfigReader.read(properties, builder()).build();
  }

  /**
   * Collects {@code sseauth.*} settings from the environment and system properties, for applications
   * configured at deployment: an environment variable {@code SSEAUTH_TOKEN_TTL} sets
   * {@code sseauth.token.ttl} (upper case, dots and dashes as underscores), and a system property of
   * the same key overrides it. Pass the result, merged with your own settings, to {@link #fromMap}.
   *
   * @param env the environment, usually {@code System.getenv()}
   * @param system the system properties, usually {@code System.getProperties()}
   * @throws IllegalArgumentException on an {@code SSEAUTH_} variable that names no known key, naming the
   *     variable but not its value
   */
  public static Map<String, String> fromEnvironment(Map<String, String> env, Properties system) {
    return ConfigReader.fromEnvironment(env, system);
  }

  /**
   * Every core configuration key, in the order {@code docs/configuration.md} lists them: its name, type,
   * default, allowed values, whether its values are sensitive, and a one-line description. The reader
   * ({@link #fromMap}), the environment-variable names ({@link #fromEnvironment}) and the builder's
   * defaults and validation all follow it. Store keys come from each store's
   * {@link dev.sseauth.spi.StoreProvider#configKeys()}.
   *
   * @return an immutable list
   */
  public static List<ConfigKey<?>> keys() {
    return CoreKeys.ALL;
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Path patterns guarded by the adapters ({@code sseauth.paths}). */
  public List<String> paths() { return paths; }
  /**
   * Whether a request to {@code rawPath} is guarded: the request target as received, without its query
   * (and without the context path in a servlet container); origin-form or absolute-form alike.
   * Conservative: the target is guarded if any reading a server or router might act on is (the target as
   * is, the part before a {@code #}, the path after a scheme and an authority, as in
   * {@code new URI(target).getPath()}), and ambiguous paths are.
   */
  public boolean guards(String rawPath) { return pathMatcher.matches(rawPath); }

  /**
   * Whether a request target cannot be read unambiguously: bad percent-encoding, an encoded slash or
   * backslash, an encoded control character, {@code ..} above the root, in any reading {@link #guards} makes
   * of it; null cannot be read. Such a target is guarded (a router might read a guarded path in it), and an
   * adapter refuses it with {@link Reason#MALFORMED_REQUEST} instead of judging it: allowed, a session
   * token would open whatever route the application's router reads in it.
   *
   * @param rawPath the request target as received, without its query; null if unknown
   */
  public boolean ambiguous(String rawPath) { return pathMatcher.ambiguous(rawPath); }
  /** Path of the ticket endpoint ({@code sseauth.ticket.path}). */
  public String ticketPath() { return ticketPath; }
  /** Query parameter carrying the ticket ({@code sseauth.ticket.param}). */
  public String ticketParam() { return ticketParam; }
  /** How long a ticket stays redeemable ({@code sseauth.ticket.ttl}). */
  public Duration ticketTtl() { return ticketTtl; }
  /** Outstanding tickets allowed per subject ({@code sseauth.ticket.max-per-subject}). */
  public int ticketMaxPerSubject() { return maxTicketsPerSubject; }
  /** Query parameter carrying the application's previous id on a fresh ticket ({@code sseauth.resume.param}). */
  public String resumeParam() { return resumeParam; }
  /** The key that signs new tokens. */
  public SessionKey signingKey() { return signingKey; }
  /** Every key that verifies tokens, the signing key included. */
  public List<SessionKey> verificationKeys() { return verificationKeys; }
  /** Lifetime of one session token ({@code sseauth.token.ttl}). */
  public Duration tokenTtl() { return tokenTtl; }
  /** Age at which a live stream's token is rotated ({@code sseauth.token.rotate-after}). */
  public Duration tokenRotateAfter() { return rotateAfter; }
  /** Clock skew tolerated on exp/nbf/iat ({@code sseauth.token.clock-skew}). */
  public Duration tokenClockSkew() { return clockSkew; }
  /** The {@code iss} claim, or null ({@code sseauth.token.issuer}). */
  public String tokenIssuer() { return issuer; }
  /**
   * The {@code aud} claim written into and required of every token ({@code sseauth.token.audience}), or
   * null for the default: the store's deployment id, which binds tokens to the
   * nodes sharing that store.
   */
  public String tokenAudience() { return audience; }
  /**
   * How new session tokens are written ({@code sseauth.token.format}): {@link TokenFormat#COMPACT} (the
   * default) or {@link TokenFormat#JWS}. Tokens of either form verify whatever this says.
   */
  public TokenFormat tokenFormat() { return tokenFormat; }
  /** Longest token accepted, in characters, checked before parsing ({@code sseauth.token.max-length}). */
  public int tokenMaxLength() { return maxTokenLength; }
  /** Absolute cap on a session, however often it rotates ({@code sseauth.session.max-lifetime}). */
  public Duration sessionMaxLifetime() { return sessionMaxLifetime; }
  /** {@code sseauth.handshake.mode}. */
  public HandshakeMode handshakeMode() { return handshakeMode; }
  /** Event name of the handshake event ({@code sseauth.handshake.event}). */
  public String handshakeEvent() { return authEvent; }
  /** Event name of silent rotation events, which no one listens to ({@code sseauth.rotation.event}). */
  public String rotationEvent() { return rotationEvent; }
  /** The {@code retry} sent in the handshake ({@code sseauth.handshake.retry}), before its jitter. */
  public Duration handshakeRetry() { return retry; }
  /** The random spread of each stream's {@code retry}, in percent either way ({@code sseauth.retry.jitter}). */
  public int retryJitter() { return retryJitter; }
  /** How long a stream may write nothing before a heartbeat comment; zero: never ({@code sseauth.heartbeat}). */
  public Duration heartbeat() { return heartbeat; }
  /** Separator between token and previous id ({@code sseauth.id.separator}). */
  public char idSeparator() { return separator; }
  /** Allowed {@code Origin} values; empty means any ({@code sseauth.origins}). */
  public Set<String> origins() { return allowedOrigins; }
  /** The store name ({@code sseauth.store}); ignored if a store instance was given. */
  public String storeName() { return storeName; }
  /** The store's own {@code sseauth.<store>.*} properties. */
  public Map<String, String> storeProperties() { return storeProperties; }
  /** A store instance given programmatically, or null to create one by {@link #storeName()}. */
  public SseAuthStore store() { return store; }
  /** How long a store call may take before the request is refused with 503 ({@code sseauth.store.timeout}). */
  public Duration storeTimeout() { return storeTimeout; }
  /** How often live streams are checked for rotation and expiry ({@code sseauth.stream.check-interval}). */
  public Duration streamCheckInterval() { return checkInterval; }
  /** The clock for all time decisions. */
  public Clock clock() { return clock; }
  /** Told what sse-auth does; {@link SseAuthListener#NONE} unless one was set. Never null. */
  public SseAuthListener listener() { return listener; }
  /**
   * Verifier of the application's bearer access tokens for the ticket endpoint
   * ({@code sseauth.bearer.*}), or null if none is configured.
   */
  public BearerTokenVerifier bearerVerifier() { return bearerVerifier; }

  @Override
  public String toString() {
    return "SseAuthConfig[paths=" + paths + ", store=" + storeName + ", mode=" + handshakeMode
        + ", signingKey=" + (signingKey == null ? null : signingKey.kid()) + "]";
  }

  /**
   * Builds an {@link SseAuthConfig}. Each setter validates its value and throws
   * {@link IllegalArgumentException} naming the key and, where it cannot hold a credential, the value
   * (never a secret, key material, a store URI, user or password, nor the value of an unknown key).
   * Not thread-safe.
   */
  public static final class Builder {
    private List<String> paths = CoreKeys.PATHS.defaultValue();
    private String ticketPath = CoreKeys.TICKET_PATH.defaultValue();
    private String ticketParam = CoreKeys.TICKET_PARAM.defaultValue();
    private Duration ticketTtl = CoreKeys.TICKET_TTL.defaultValue();
    private int maxTicketsPerSubject = CoreKeys.TICKET_MAX_PER_SUBJECT.defaultValue();
    private String resumeParam = CoreKeys.RESUME_PARAM.defaultValue();
    private SessionKey signingKey;
    private final List<SessionKey> verificationKeys = new ArrayList<>();
    private Duration tokenTtl = CoreKeys.TOKEN_TTL.defaultValue();
    private Duration rotateAfter = CoreKeys.TOKEN_ROTATE_AFTER.defaultValue();
    private Duration clockSkew = CoreKeys.TOKEN_CLOCK_SKEW.defaultValue();
    private String issuer = CoreKeys.TOKEN_ISSUER.defaultValue();
    private String audience = CoreKeys.TOKEN_AUDIENCE.defaultValue();
    private TokenFormat tokenFormat = ConfigReader.format(CoreKeys.TOKEN_FORMAT.defaultValue());
    private int maxTokenLength = CoreKeys.TOKEN_MAX_LENGTH.defaultValue();
    private Duration sessionMaxLifetime = CoreKeys.SESSION_MAX_LIFETIME.defaultValue();
    private HandshakeMode handshakeMode = ConfigReader.mode(CoreKeys.HANDSHAKE_MODE.defaultValue());
    private String authEvent = CoreKeys.HANDSHAKE_EVENT.defaultValue();
    private String rotationEvent = CoreKeys.ROTATION_EVENT.defaultValue();
    private Duration retry = CoreKeys.HANDSHAKE_RETRY.defaultValue();
    private char separator = CoreKeys.ID_SEPARATOR.defaultValue().charAt(0);
    private Set<String> allowedOrigins = Set.copyOf(CoreKeys.ORIGINS.defaultValue());
    private String storeName = CoreKeys.STORE.defaultValue();
    private Map<String, String> storeProperties = Map.of();
    private SseAuthStore store;
    private Duration storeTimeout = CoreKeys.STORE_TIMEOUT.defaultValue();
    private Duration checkInterval = CoreKeys.STREAM_CHECK_INTERVAL.defaultValue();
    private int retryJitter = CoreKeys.RETRY_JITTER.defaultValue();
    private Duration heartbeat = CoreKeys.HEARTBEAT.defaultValue();
    private Clock clock = Clock.systemUTC();
    private SseAuthListener listener = SseAuthListener.NONE;
    private BearerTokenVerifier bearerVerifier;

    private Builder() {}

    private Builder(SseAuthConfig c) {
      paths = c.paths;
      ticketPath = c.ticketPath;
      ticketParam = c.ticketParam;
      ticketTtl = c.ticketTtl;
      maxTicketsPerSubject = c.maxTicketsPerSubject;
      resumeParam = c.resumeParam;
      signingKey = c.signingKey;
      for (SessionKey k : c.verificationKeys) {
        if (k != c.signingKey) {
          verificationKeys.add(k);
        }
      }
      tokenTtl = c.tokenTtl;
      rotateAfter = c.rotateAfter;
      clockSkew = c.clockSkew;
      issuer = c.issuer;
      audience = c.audience;
      tokenFormat = c.tokenFormat;
      maxTokenLength = c.maxTokenLength;
      sessionMaxLifetime = c.sessionMaxLifetime;
      handshakeMode = c.handshakeMode;
      authEvent = c.authEvent;
      rotationEvent = c.rotationEvent;
      retry = c.retry;
      separator = c.separator;
      allowedOrigins = c.allowedOrigins;
      storeName = c.storeName;
      storeProperties = c.storeProperties;
      store = c.store;
      storeTimeout = c.storeTimeout;
      checkInterval = c.checkInterval;
      retryJitter = c.retryJitter;
      heartbeat = c.heartbeat;
      clock = c.clock;
      listener = c.listener;
      bearerVerifier = c.bearerVerifier;
    }

    /** {@code sseauth.paths}: guarded path patterns: {@code /events}, {@code /events/*}, {@code /feeds/**}. */
    public Builder paths(List<String> patterns) {
      if (patterns.isEmpty()) {
        throw CoreKeys.PATHS.invalid("", "must name at least one path pattern");
      }
      for (String p : patterns) {
        PathMatcher.validate(p);
      }
      this.paths = CoreKeys.PATHS.check(List.copyOf(patterns));
      return this;
    }

    /** {@code sseauth.ticket.path}: where the adapters serve the ticket endpoint. */
    public Builder ticketPath(String path) {
      this.ticketPath = CoreKeys.TICKET_PATH.check(path);
      return this;
    }

    /** {@code sseauth.ticket.param}: the ticket's query parameter. */
    public Builder ticketParam(String name) {
      this.ticketParam = CoreKeys.TICKET_PARAM.check(name);
      return this;
    }

    /** {@code sseauth.ticket.ttl}: 1s to 10m. */
    public Builder ticketTtl(Duration ttl) {
      this.ticketTtl = CoreKeys.TICKET_TTL.check(ttl);
      return this;
    }

    /** {@code sseauth.ticket.max-per-subject}: 1 to 10,000. */
    public Builder ticketMaxPerSubject(int max) {
      this.maxTicketsPerSubject = CoreKeys.TICKET_MAX_PER_SUBJECT.check(max);
      return this;
    }

    /** {@code sseauth.resume.param}: the resume query parameter (previous id, never a token). */
    public Builder resumeParam(String name) {
      this.resumeParam = CoreKeys.RESUME_PARAM.check(name);
      return this;
    }

    /** Signs new tokens with {@code key} (which also verifies). */
    public Builder signingKey(SessionKey key) {
      if (!key.canSign()) {
        throw CoreKeys.TOKEN_SIGNING_KID.invalid(key.kid(), "names a key without a private part");
      }
      this.signingKey = key;
      return this;
    }

    /** Adds keys that only verify, such as the previous signing key during key rotation. */
    public Builder verificationKeys(List<SessionKey> keys) {
      this.verificationKeys.addAll(keys);
      return this;
    }

    /**
     * {@code sseauth.token.secret}: shorthand for an HS256 signing key with kid {@code k1}.
     *
     * @param secret at least 32 random bytes, such as 32 bytes from {@link java.security.SecureRandom} or
     *     the output of {@code openssl rand -base64 32} decoded with {@link java.util.Base64}; copied
     * @throws IllegalArgumentException if the secret is shorter than 32 bytes or plainly not random: text
     *     (a password's or passphrase's bytes), a short repeated pattern, fewer than 16 distinct byte
     *     values, a regular sequence. The message names the key and never shows the secret.
     */
    public Builder tokenSecret(byte[] secret) {
      String weakness = Secrets.weakness(secret);
      if (weakness != null) {
        throw CoreKeys.TOKEN_SECRET.error("must be at least " + Secrets.MIN_BYTES
            + " random bytes, but it " + weakness + "; " + Secrets.MAKE_ONE + " and decode it");
      }
      return signingKey(SessionKey.hmac("k1", secret));
    }

    /** {@code sseauth.token.ttl}: 1s to 7d. */
    public Builder tokenTtl(Duration ttl) {
      this.tokenTtl = CoreKeys.TOKEN_TTL.check(ttl);
      return this;
    }

    /** {@code sseauth.token.rotate-after}: 1s to 7d, less than the token TTL. */
    public Builder tokenRotateAfter(Duration age) {
      this.rotateAfter = CoreKeys.TOKEN_ROTATE_AFTER.check(age);
      return this;
    }

    /** {@code sseauth.token.clock-skew}: 0 to 5m. */
    public Builder tokenClockSkew(Duration skew) {
      this.clockSkew = CoreKeys.TOKEN_CLOCK_SKEW.check(skew);
      return this;
    }

    /** {@code sseauth.token.issuer}: the {@code iss} claim written and required; null for none. */
    public Builder tokenIssuer(String issuer) {
      this.issuer = emptyToNull(issuer);
      return this;
    }

    /**
     * {@code sseauth.token.audience}: the {@code aud} claim written and required; null (the default) for
     * the store's deployment id, so that a token verifies only on the nodes sharing
     * the store that minted it. Set the same value on two deployments only to let them accept each
     * other's tokens.
     */
    public Builder tokenAudience(String audience) {
      this.audience = emptyToNull(audience);
      return this;
    }

    /**
     * {@code sseauth.token.format}: how new session tokens are written. {@link TokenFormat#COMPACT} (the
     * default) needs an HS256 signing key ({@link #build()} refuses an ES256 or RS256 one);
     * {@link TokenFormat#JWS} takes any. Tokens of either form verify whatever this says, so a deployment
     * can switch between them without ending sessions.
     *
     * @throws NullPointerException if {@code format} is null
     */
    public Builder tokenFormat(TokenFormat format) {
      this.tokenFormat = Objects.requireNonNull(format, "format");
      return this;
    }

    /** {@code sseauth.token.max-length}: 256 to 8192 characters. */
    public Builder tokenMaxLength(int max) {
      this.maxTokenLength = CoreKeys.TOKEN_MAX_LENGTH.check(max);
      return this;
    }

    /** {@code sseauth.session.max-lifetime}: 1s to 30d. */
    public Builder sessionMaxLifetime(Duration max) {
      this.sessionMaxLifetime = CoreKeys.SESSION_MAX_LIFETIME.check(max);
      return this;
    }

    /** {@code sseauth.handshake.mode}: {@code continue} or {@code reconnect}. */
    public Builder handshakeMode(HandshakeMode mode) {
      this.handshakeMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** {@code sseauth.handshake.event}: the auth event's name. */
    public Builder handshakeEvent(String name) {
      this.authEvent = CoreKeys.HANDSHAKE_EVENT.check(name);
      return this;
    }

    /** {@code sseauth.rotation.event}: the silent rotation event's name; no page may listen to it. */
    public Builder rotationEvent(String name) {
      this.rotationEvent = CoreKeys.ROTATION_EVENT.check(name);
      return this;
    }

    /** {@code sseauth.handshake.retry}: the reconnection delay sent to browsers, 0 to 1h. */
    public Builder handshakeRetry(Duration retry) {
      this.retry = CoreKeys.HANDSHAKE_RETRY.check(retry);
      return this;
    }

    /**
     * {@code sseauth.retry.jitter}: each stream's {@code retry} is drawn uniformly from the handshake retry
     * plus or minus this many percent, 0 to 50 (default 20), so that clients cut off together (a node's
     * restart) do not return together.
     */
    public Builder retryJitter(int percent) {
      this.retryJitter = CoreKeys.RETRY_JITTER.check(percent);
      return this;
    }

    /**
     * {@code sseauth.heartbeat}: a stream that has written nothing for this long gets a comment line
     * ({@code :}), through the same serialised writes as the application's; one whose heartbeat cannot be
     * written is ended and released at once. 0 (off) to 1h, default 15s; checked every
     * {@code sseauth.stream.check-interval}.
     */
    public Builder heartbeat(Duration interval) {
      this.heartbeat = CoreKeys.HEARTBEAT.check(interval);
      return this;
    }

    /**
     * {@code sseauth.id.separator}: one printable ASCII character that is not a letter, digit,
     * {@code .}, {@code -} or {@code ~} (those occur in tokens).
     */
    public Builder idSeparator(char c) {
      CoreKeys.ID_SEPARATOR.check(String.valueOf(c));
      this.separator = c;
      return this;
    }

    /** {@code sseauth.origins}: allowed {@code Origin} values such as {@code https://app.example}; empty for any. */
    public Builder origins(Set<String> origins) {
      CoreKeys.ORIGINS.check(new ArrayList<>(origins));
      this.allowedOrigins = new LinkedHashSet<>(origins);
      return this;
    }

    /** {@code sseauth.store}: the store name, found through {@link java.util.ServiceLoader}. */
    public Builder store(String name) {
      this.storeName = CoreKeys.STORE.check(name);
      return this;
    }

    /** The store's own {@code sseauth.<store>.*} properties, passed to its provider. */
    public Builder storeProperties(Map<String, String> properties) {
      this.storeProperties = Map.copyOf(properties);
      return this;
    }

    /** Uses this store instance instead of creating one by name. The {@link SseAuth} closes it. */
    public Builder store(SseAuthStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** {@code sseauth.store.timeout}: 10ms to 1m. */
    public Builder storeTimeout(Duration timeout) {
      this.storeTimeout = CoreKeys.STORE_TIMEOUT.check(timeout);
      return this;
    }

    /** {@code sseauth.stream.check-interval}: how often live streams are checked, 10ms to 10s. */
    public Builder streamCheckInterval(Duration interval) {
      this.checkInterval = CoreKeys.STREAM_CHECK_INTERVAL.check(interval);
      return this;
    }

    /** The clock for every time decision; tests pass a clock they advance. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * What to tell about tickets, decisions, streams, rotations, revocations and store failures (for
     * metrics); {@link SseAuthListener#NONE} by default.
     *
     * @throws NullPointerException if {@code listener} is null
     */
    public Builder listener(SseAuthListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * {@code sseauth.bearer.*}: how the ticket endpoint verifies the application's bearer access
     * tokens; null for none (the adapter's own principal then applies, such as the container's).
     */
    public Builder bearerVerifier(BearerTokenVerifier verifier) {
      this.bearerVerifier = verifier;
      return this;
    }

    /**
     * Checks the values together and builds.
     *
     * @throws IllegalArgumentException if no signing key is set, the token format is
     *     {@link TokenFormat#COMPACT} and the signing key is not HS256, the rotation age is not below the
     *     token TTL, two keys share a kid, or the parameters collide
     */
    public SseAuthConfig build() {
      if (signingKey == null) {
        throw CoreKeys.TOKEN_SECRET.error("(or " + CoreKeys.TOKEN_JWKS_FILE.name() + " with "
            + CoreKeys.TOKEN_SIGNING_KID.name() + ") must be set");
      }
      if (tokenFormat == TokenFormat.COMPACT && !JWSAlgorithm.HS256.equals(signingKey.algorithm())) {
        throw CoreKeys.TOKEN_FORMAT.error("is compact (the default), which needs an HS256 signing key, but the"
            + " signing key '" + signingKey.kid() + "' is " + signingKey.algorithm() + ": set "
            + CoreKeys.TOKEN_FORMAT.name() + "=jws to sign " + signingKey.algorithm() + " tokens, or sign with an HS256"
            + " key (a compact token's 16-byte HMAC tag keeps it under 100 characters; an " + signingKey.algorithm()
            + " signature would not)");
      }
      if (rotateAfter.compareTo(tokenTtl) >= 0) {
        throw CoreKeys.TOKEN_ROTATE_AFTER.invalid(CoreKeys.TOKEN_ROTATE_AFTER.format(rotateAfter),
            "must be less than " + CoreKeys.TOKEN_TTL.name() + " (" + CoreKeys.TOKEN_TTL.format(tokenTtl) + ")");
      }
      if (ticketParam.equals(resumeParam)) {
        throw CoreKeys.RESUME_PARAM.invalid(resumeParam, "must differ from " + CoreKeys.TICKET_PARAM.name());
      }
      if (authEvent.equals(rotationEvent)) {
        throw CoreKeys.ROTATION_EVENT.invalid(rotationEvent, "must differ from " + CoreKeys.HANDSHAKE_EVENT.name());
      }
      Set<String> kids = new LinkedHashSet<>();
      kids.add(signingKey.kid());
      List<SessionKey> all = new ArrayList<>();
      all.add(signingKey);
      for (SessionKey k : verificationKeys) {
        if (k.kid().equals(signingKey.kid()) && k.jwk().equals(signingKey.jwk())) {
          continue;
        }
        if (!kids.add(k.kid())) {
          throw CoreKeys.TOKEN_JWKS_FILE.invalid(k.kid(), "two keys share this kid");
        }
        all.add(k);
      }
      List<SessionKey> extra = new ArrayList<>(verificationKeys);
      verificationKeys.clear();
      verificationKeys.addAll(all);
      try {
        return new SseAuthConfig(this);
      } finally {
        verificationKeys.clear();
        verificationKeys.addAll(extra);
      }
    }

    private static String emptyToNull(String s) {
      return s == null || s.isBlank() ? null : s;
    }
  }
}
