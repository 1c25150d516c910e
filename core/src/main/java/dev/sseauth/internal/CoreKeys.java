package dev.sseauth.internal;

import dev.sseauth.spi.ConfigKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The core's configuration keys, each declared once with its type, default, allowed values, sensitivity
 * and description. {@link ConfigReader} reads them, {@code SseAuthConfig.Builder} takes its defaults
 * from them and validates through them, the environment-variable names are derived from them, and
 * {@code docs/configuration.md} renders them (in the order of {@link #ALL}). Store keys are declared by
 * the store providers. Immutable.
 */
public final class CoreKeys {
  private static final String PARAM = "[A-Za-z0-9_.\\-]{1,64}";
  private static final String PARAM_RULE = "must be 1 to 64 of A-Z a-z 0-9 _ . -";
  private static final String EVENT = "(?!message$)[A-Za-z0-9_.\\-]{1,64}";
  private static final String EVENT_RULE = "must be 1 to 64 of A-Z a-z 0-9 _ . - and not 'message'";

  public static final ConfigKey<String> TOKEN_SECRET = ConfigKey.string("sseauth.token.secret", null, null,
      "must be at least 32 random bytes, in base64 or in hex (after hex:)",
      "HS256 secret that signs session tokens: base64 (standard or URL-safe, padding optional, optional `base64:` "
          + "prefix) or `hex:` followed by hex digits; make one with `openssl rand -base64 32`. Text, short "
          + "repeated patterns, few distinct characters and regular sequences are refused at startup")
      .sensitive().defaultText("— (required unless `sseauth.token.jwks-file`)");
  public static final ConfigKey<String> TOKEN_KID = ConfigKey.string("sseauth.token.kid", "k1", null, null,
      "`kid` of the secret's key");
  public static final ConfigKey<String> TOKEN_JWKS_FILE = ConfigKey.string("sseauth.token.jwks-file", null, null,
      "must be the path of a JWK set file",
      "JWK set file with HS256 / ES256 / RS256 keys, each with `kid` and `alg` (key rotation: old keys verify, one signs; "
          + "an ES256 or RS256 signing key needs `sseauth.token.format=jws`)");
  public static final ConfigKey<String> TOKEN_SIGNING_KID = ConfigKey.string("sseauth.token.signing-kid", null, null,
      "must be the kid of a configured key with a private part", "which key signs new tokens")
      .defaultText("the secret, or the only private key");
  public static final ConfigKey<Duration> TOKEN_TTL = ConfigKey.duration("sseauth.token.ttl", Duration.ofHours(1),
      Duration.ofSeconds(1), Duration.ofDays(7), "lifetime of one session token");
  public static final ConfigKey<Duration> TOKEN_ROTATE_AFTER = ConfigKey.duration("sseauth.token.rotate-after",
      Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofDays(7),
      "token age at which a live stream gets a fresh token; must be less than `sseauth.token.ttl`");
  public static final ConfigKey<Duration> SESSION_MAX_LIFETIME = ConfigKey.duration("sseauth.session.max-lifetime",
      Duration.ofHours(12), Duration.ofSeconds(1), Duration.ofDays(30), "absolute cap on a session, however often it rotates");
  public static final ConfigKey<Duration> TOKEN_CLOCK_SKEW = ConfigKey.duration("sseauth.token.clock-skew",
      Duration.ofSeconds(30), Duration.ZERO, Duration.ofMinutes(5), "tolerance on `exp`/`nbf`/`iat`");
  public static final ConfigKey<String> TOKEN_ISSUER = ConfigKey.string("sseauth.token.issuer", null, null, null,
      "`iss` written and required");
  public static final ConfigKey<String> TOKEN_AUDIENCE = ConfigKey.string("sseauth.token.audience", null, null, null,
      "`aud` written into (a JWS) or bound by the tag of (a compact token) and required of every token. By default the store's deployment id (memory: per process; "
          + "Redis: key `P deployment`; SQL: table `sseauth_deployment`), so a token verifies only on the nodes that "
          + "share the store that minted it; set the same value on two deployments only to let them accept each "
          + "other's tokens")
      .defaultText("the store's deployment id");
  public static final ConfigKey<String> TOKEN_FORMAT = ConfigKey.string("sseauth.token.format", "compact",
      "(?i)compact|jws", "must be compact or jws",
      "how new session tokens are written: `compact` (a binary token with a 128-bit HMAC-SHA-256 tag, about 90 "
          + "characters; HS256 signing keys only) or `jws` (a compact JWS, about 300 characters with HS256; any key). "
          + "Tokens of either form verify whatever this says, so a deployment can switch without ending sessions");
  public static final ConfigKey<Integer> TOKEN_MAX_LENGTH = ConfigKey.integer("sseauth.token.max-length", 2048, 256, 8192,
      "longest token accepted, in characters, checked before parsing");
  public static final ConfigKey<Duration> TICKET_TTL = ConfigKey.duration("sseauth.ticket.ttl", Duration.ofSeconds(30),
      Duration.ofSeconds(1), Duration.ofMinutes(10), "how long a ticket stays redeemable");
  public static final ConfigKey<Integer> TICKET_MAX_PER_SUBJECT = ConfigKey.integer("sseauth.ticket.max-per-subject",
      16, 1, 10_000, "outstanding tickets per subject; more get 429");
  public static final ConfigKey<String> TICKET_PARAM = ConfigKey.string("sseauth.ticket.param", "slt", PARAM, PARAM_RULE,
      "query parameter carrying the ticket");
  public static final ConfigKey<String> TICKET_PATH = ConfigKey.string("sseauth.ticket.path", "/sse/ticket", "/[^*]*",
      "must be an absolute path without wildcards", "where the adapters serve the ticket endpoint");
  public static final ConfigKey<String> RESUME_PARAM = ConfigKey.string("sseauth.resume.param", "lastEventId", PARAM,
      PARAM_RULE, "query parameter with the app's previous id when a client re-tickets (never a token)");
  public static final ConfigKey<List<String>> PATHS = ConfigKey.list("sseauth.paths", List.of("/**"), null,
      "must be path patterns /path, /path/* or /path/**",
      "guarded paths, comma-separated: `/events`, `/events/*` (one segment below), `/feeds/**` (any depth)");
  public static final ConfigKey<String> HANDSHAKE_MODE = ConfigKey.string("sseauth.handshake.mode", "continue",
      "(?i)continue|reconnect", "must be continue or reconnect",
      "`continue`: auth event then the app streams; `reconnect`: `retry: 0` + auth event, then the response ends "
          + "and the browser reconnects with the token");
  public static final ConfigKey<String> HANDSHAKE_EVENT = ConfigKey.string("sseauth.handshake.event", "auth", EVENT,
      EVENT_RULE, "name of the auth event");
  public static final ConfigKey<Duration> HANDSHAKE_RETRY = ConfigKey.duration("sseauth.handshake.retry",
      Duration.ofSeconds(1), Duration.ZERO, Duration.ofHours(1), "the `retry` sent to browsers");
  public static final ConfigKey<Integer> RETRY_JITTER = ConfigKey.integer("sseauth.retry.jitter", 20, 0, 50,
      "random spread of the `retry` sent to each stream, in percent either way: after a restart clients return "
      + "spread over time");
  public static final ConfigKey<Duration> HEARTBEAT = ConfigKey.duration("sseauth.heartbeat", Duration.ofSeconds(15),
      Duration.ZERO, Duration.ofHours(1), "a comment line on a stream that has written nothing for this long, so "
      + "proxies keep it open and a dead client is found and released; `0` off");
  public static final ConfigKey<String> ROTATION_EVENT = ConfigKey.string("sseauth.rotation.event", "sseauth-rotate",
      EVENT, EVENT_RULE, "name of the silent rotation event (no page may listen to it)");
  public static final ConfigKey<String> ID_SEPARATOR = ConfigKey.string("sseauth.id.separator", "_",
      "[\\x21-\\x7e&&[^A-Za-z0-9.~\\-]]",
      "must be one printable ASCII character other than a letter, digit, '.', '-' or '~'",
      "separator in `<token>_<appId>`");
  public static final ConfigKey<List<String>> ORIGINS = ConfigKey.list("sseauth.origins", List.of(),
      "(?i)https?://[a-z0-9.\\-\\[\\]:]+", "must be origins such as https://app.example or http://localhost:8080",
      "allowed `Origin` values, comma-separated; others get 403").defaultText("any");
  public static final ConfigKey<String> STORE = ConfigKey.string("sseauth.store", "memory", "[a-z][a-z0-9-]*",
      "must be a store name such as memory, redis or jdbc", "store by name, found with `ServiceLoader`");
  public static final ConfigKey<Duration> STORE_TIMEOUT = ConfigKey.duration("sseauth.store.timeout",
      Duration.ofSeconds(2), Duration.ofMillis(10), Duration.ofMinutes(1),
      "a store call slower than this refuses the request with 503");
  public static final ConfigKey<Duration> STREAM_CHECK_INTERVAL = ConfigKey.duration("sseauth.stream.check-interval",
      Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofSeconds(10),
      "how often live streams are checked for rotation and expiry");
  public static final ConfigKey<String> BEARER_SECRET = ConfigKey.string("sseauth.bearer.secret", null, null,
      "must be at least 32 bytes (UTF-8)",
      "ticket endpoint: verify the app's `Authorization: Bearer` HS256 JWTs with this secret").sensitive();
  public static final ConfigKey<String> BEARER_JWKS_FILE = ConfigKey.string("sseauth.bearer.jwks-file", null, null,
      "must be the path of a JWK set file", "ticket endpoint: verify bearer JWTs against this JWK set instead");
  public static final ConfigKey<String> BEARER_JWKS_URI = ConfigKey.uri("sseauth.bearer.jwks-uri", null, "(?i)https?://.+",
      "must be an https URI (http only on the loopback interface)", "ticket endpoint: verify bearer JWTs against the "
      + "identity provider's JWK set at this URL, cached, fetched again for an unknown key id (at most twice in 30 s); "
      + "unreachable: 503; needs `sseauth.bearer.audience`");
  public static final ConfigKey<Duration> BEARER_JWKS_TIMEOUT = ConfigKey.duration("sseauth.bearer.jwks-timeout",
      Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(30),
      "how long fetching the JWK set may take to connect; twice this in all");
  public static final ConfigKey<String> BEARER_ISSUER = ConfigKey.string("sseauth.bearer.issuer", null, null, null,
      "required `iss` of bearer JWTs");
  public static final ConfigKey<String> BEARER_AUDIENCE = ConfigKey.string("sseauth.bearer.audience", null, null, null,
      "required `aud` of bearer JWTs");
  public static final ConfigKey<List<String>> BEARER_ATTRIBUTE_CLAIMS = ConfigKey.list("sseauth.bearer.attribute-claims",
      List.of(), null, null, "string claims of the bearer JWT copied into the principal's attributes, comma-separated");

  /** Every core key, in the order the documentation lists them. */
  public static final List<ConfigKey<?>> ALL = List.of(TOKEN_SECRET, TOKEN_KID, TOKEN_JWKS_FILE, TOKEN_SIGNING_KID,
      TOKEN_TTL, TOKEN_ROTATE_AFTER, SESSION_MAX_LIFETIME, TOKEN_CLOCK_SKEW, TOKEN_ISSUER, TOKEN_AUDIENCE,
      TOKEN_FORMAT, TOKEN_MAX_LENGTH, TICKET_TTL, TICKET_MAX_PER_SUBJECT, TICKET_PARAM, TICKET_PATH, RESUME_PARAM, PATHS,
      HANDSHAKE_MODE, HANDSHAKE_EVENT, HANDSHAKE_RETRY, RETRY_JITTER, HEARTBEAT, ROTATION_EVENT, ID_SEPARATOR, ORIGINS, STORE, STORE_TIMEOUT,
      STREAM_CHECK_INTERVAL, BEARER_SECRET, BEARER_JWKS_FILE, BEARER_JWKS_URI, BEARER_JWKS_TIMEOUT, BEARER_ISSUER, BEARER_AUDIENCE, BEARER_ATTRIBUTE_CLAIMS);

  /** {@link #ALL} by name. */
  public static final Map<String, ConfigKey<?>> BY_NAME = ALL.stream()
      .collect(Collectors.toUnmodifiableMap(ConfigKey::name, Function.identity()));

  private CoreKeys() {}
}
