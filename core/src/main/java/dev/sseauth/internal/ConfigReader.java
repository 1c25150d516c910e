package dev.sseauth.internal;

import dev.sseauth.BearerTokenVerifier;
import dev.sseauth.HandshakeMode;
import dev.sseauth.SessionKey;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.TokenFormat;
import dev.sseauth.spi.ConfigKey;
import dev.sseauth.spi.StoreProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code sseauth.*} properties into an {@link SseAuthConfig.Builder}: a thin layer over it, driven
 * by the key table ({@link CoreKeys} and each store provider's {@link StoreProvider#configKeys()}). Its
 * messages follow {@link ConfigErrors}: an unknown key is named, its value never shown.
 */
public final class ConfigReader {
  /** The prefix of every key. */
  public static final String PREFIX = "sseauth.";

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  private ConfigReader() {}

  /**
   * Applies every {@code sseauth.*} entry of {@code properties} to {@code b}; a store's keys are checked
   * against its provider's table and passed on as {@link SseAuthConfig.Builder#storeProperties}.
   *
   * @throws IllegalArgumentException on an unknown key, a key of a store other than {@code sseauth.store},
   *     or a bad value, naming the key
   */
  public static SseAuthConfig.Builder read(Map<String, String> properties, SseAuthConfig.Builder b) {
    Map<String, String> p = new TreeMap<>();
    properties.forEach((k, v) -> {
      if (k.startsWith(PREFIX)) {
        p.put(k, v == null ? "" : v.trim());
      }
    });
    String storeName = p.getOrDefault(CoreKeys.STORE.name(), CoreKeys.STORE.defaultValue());
    Map<String, StoreProvider> providers = providers();
    Map<String, String> storeProps = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : p.entrySet()) {
      String key = e.getKey();
      if (CoreKeys.BY_NAME.containsKey(key)) {
        continue;
      }
      String owner = key.substring(PREFIX.length()).split("\\.", 2)[0];
      StoreProvider provider = providers.get(owner);
      ConfigKey<?> storeKey = provider == null ? null : find(provider.configKeys(), key);
      if (storeKey == null) {
        throw new IllegalArgumentException("unknown configuration key " + key + "; known keys: "
            + String.join(", ", allKeys()));
      }
      if (!owner.equals(storeName)) {
        throw ConfigErrors.about(key, "is set, but " + CoreKeys.STORE.name() + " is '" + storeName + "', not '" + owner + "'");
      }
      storeKey.parse(e.getValue()); // fails now, naming the key, rather than when the store is created
      storeProps.put(key, e.getValue());
    }
    b.storeProperties(storeProps);

    set(p, CoreKeys.PATHS, b::paths);
    set(p, CoreKeys.TICKET_PATH, b::ticketPath);
    set(p, CoreKeys.TICKET_PARAM, b::ticketParam);
    set(p, CoreKeys.TICKET_TTL, b::ticketTtl);
    set(p, CoreKeys.TICKET_MAX_PER_SUBJECT, b::ticketMaxPerSubject);
    set(p, CoreKeys.RESUME_PARAM, b::resumeParam);
    set(p, CoreKeys.TOKEN_TTL, b::tokenTtl);
    set(p, CoreKeys.TOKEN_ROTATE_AFTER, b::tokenRotateAfter);
    set(p, CoreKeys.TOKEN_CLOCK_SKEW, b::tokenClockSkew);
    set(p, CoreKeys.TOKEN_ISSUER, b::tokenIssuer);
    set(p, CoreKeys.TOKEN_AUDIENCE, b::tokenAudience);
    set(p, CoreKeys.TOKEN_FORMAT, v -> b.tokenFormat(format(v)));
    set(p, CoreKeys.TOKEN_MAX_LENGTH, b::tokenMaxLength);
    set(p, CoreKeys.SESSION_MAX_LIFETIME, b::sessionMaxLifetime);
    set(p, CoreKeys.HANDSHAKE_MODE, v -> b.handshakeMode(mode(v)));
    set(p, CoreKeys.HANDSHAKE_EVENT, b::handshakeEvent);
    set(p, CoreKeys.HANDSHAKE_RETRY, b::handshakeRetry);
    set(p, CoreKeys.RETRY_JITTER, b::retryJitter);
    set(p, CoreKeys.HEARTBEAT, b::heartbeat);
    set(p, CoreKeys.ROTATION_EVENT, b::rotationEvent);
    String separator = p.get(CoreKeys.ID_SEPARATOR.name());
    if (separator != null) {
      if (separator.length() != 1) {
        throw CoreKeys.ID_SEPARATOR.invalid(separator, "must be exactly one character");
      }
      b.idSeparator(separator.charAt(0));
    }
    set(p, CoreKeys.ORIGINS, v -> b.origins(new LinkedHashSet<>(v)));
    set(p, CoreKeys.STORE, b::store);
    set(p, CoreKeys.STORE_TIMEOUT, b::storeTimeout);
    set(p, CoreKeys.STREAM_CHECK_INTERVAL, b::streamCheckInterval);
    keys(p, b);
    bearer(p, b);
    return b;
  }

  /** Reads {@code key} from {@code p}, if present, and hands its value to {@code setter}. */
  private static <T> void set(Map<String, String> p, ConfigKey<T> key, Consumer<T> setter) {
    String v = p.get(key.name());
    if (v != null) {
      setter.accept(key.parse(v));
    }
  }

  private static ConfigKey<?> find(List<ConfigKey<?>> keys, String name) {
    for (ConfigKey<?> k : keys) {
      if (k.name().equals(name)) {
        return k;
      }
    }
    return null;
  }

  /** The key named {@code name}: a core key or one of a store provider on the class path; null if none. */
  public static ConfigKey<?> key(String name) {
    ConfigKey<?> k = CoreKeys.BY_NAME.get(name);
    if (k != null) {
      return k;
    }
    for (StoreProvider p : providers().values()) {
      k = find(p.configKeys(), name);
      if (k != null) {
        return k;
      }
    }
    return null;
  }

  private static void bearer(Map<String, String> p, SseAuthConfig.Builder b) {
    String secretKey = CoreKeys.BEARER_SECRET.name();
    String fileKey = CoreKeys.BEARER_JWKS_FILE.name();
    String uriKey = CoreKeys.BEARER_JWKS_URI.name();
    String secret = CoreKeys.BEARER_SECRET.read(p);
    String file = CoreKeys.BEARER_JWKS_FILE.read(p);
    String uri = CoreKeys.BEARER_JWKS_URI.read(p);
    Duration jwksTimeout = CoreKeys.BEARER_JWKS_TIMEOUT.read(p); // checked even where it is not used
    int sources = (secret == null || secret.isEmpty() ? 0 : 1) + (file == null || file.isEmpty() ? 0 : 1)
        + (uri == null || uri.isEmpty() ? 0 : 1);
    if (sources == 0) {
      for (ConfigKey<?> k : List.of(CoreKeys.BEARER_ISSUER, CoreKeys.BEARER_AUDIENCE, CoreKeys.BEARER_ATTRIBUTE_CLAIMS)) {
        if (p.containsKey(k.name())) {
          throw k.error("is set, but none of " + secretKey + ", " + fileKey + " and " + uriKey + " is");
        }
      }
      return;
    }
    if (sources > 1) {
      throw new IllegalArgumentException("set one of " + secretKey + ", " + fileKey + " and " + uriKey + ", not several");
    }
    String issuer = CoreKeys.BEARER_ISSUER.read(p);
    String audience = CoreKeys.BEARER_AUDIENCE.read(p);
    List<String> attrs = CoreKeys.BEARER_ATTRIBUTE_CLAIMS.read(p);
    java.time.Clock clock = java.time.Clock.systemUTC();
    if (secret != null && !secret.isEmpty()) {
      b.bearerVerifier(BearerTokenVerifier.hmac(secret.getBytes(StandardCharsets.UTF_8), issuer, audience, attrs, clock));
    } else if (uri != null && !uri.isEmpty()) {
      java.net.URI u;
      try {
        u = new java.net.URI(uri);
      } catch (java.net.URISyntaxException e) {
        throw CoreKeys.BEARER_JWKS_URI.error("must be an http or https URI");
      }
      if (audience == null || audience.isEmpty()) {
        throw CoreKeys.BEARER_AUDIENCE.error("must be set when " + uriKey + " is: an identity provider signs the "
            + "tokens of all its applications, and only those for this API may get tickets");
      }
      b.bearerVerifier(BearerTokenVerifier.remote(u, jwksTimeout, issuer, audience, attrs, clock));
    } else {
      String json;
      try {
        json = Files.readString(Path.of(file));
      } catch (IOException e) {
        throw new IllegalArgumentException(fileKey + " cannot be read: '" + file + "' (" + e + ")");
      }
      b.bearerVerifier(BearerTokenVerifier.jwkSet(json, issuer, audience, attrs, clock));
    }
  }

  private static void keys(Map<String, String> p, SseAuthConfig.Builder b) {
    String secret = CoreKeys.TOKEN_SECRET.read(p);
    String kid = CoreKeys.TOKEN_KID.read(p);
    String jwksFile = CoreKeys.TOKEN_JWKS_FILE.read(p);
    String signingKid = CoreKeys.TOKEN_SIGNING_KID.read(p);
    String fileKey = CoreKeys.TOKEN_JWKS_FILE.name();
    List<SessionKey> keys = new ArrayList<>();
    if (secret != null && !secret.isEmpty()) {
      keys.add(SessionKey.hmac(kid, Secrets.decode(CoreKeys.TOKEN_SECRET.name(), secret)));
    }
    if (jwksFile != null && !jwksFile.isEmpty()) {
      try {
        keys.addAll(SessionKey.fromJwkSet(Files.readString(Path.of(jwksFile))));
      } catch (IOException e) {
        throw new IllegalArgumentException(fileKey + " cannot be read: '" + jwksFile + "' (" + e + ")");
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(fileKey + " '" + jwksFile + "' is invalid: " + e.getMessage());
      }
    }
    if (keys.isEmpty()) {
      return; // build() reports the missing key
    }
    SessionKey signing = null;
    if (signingKid != null && !signingKid.isEmpty()) {
      for (SessionKey k : keys) {
        if (k.kid().equals(signingKid)) {
          signing = k;
        }
      }
      if (signing == null || !signing.canSign()) {
        throw CoreKeys.TOKEN_SIGNING_KID.invalid(signingKid, "names no configured key with a private part");
      }
    } else if (secret != null && !secret.isEmpty()) {
      signing = keys.get(0);
    } else {
      List<SessionKey> signers = keys.stream().filter(SessionKey::canSign).toList();
      if (signers.size() != 1) {
        throw CoreKeys.TOKEN_SIGNING_KID.error("must name the signing key of " + fileKey + " '" + jwksFile + "' (it has "
            + signers.size() + " keys with a private part)");
      }
      signing = signers.get(0);
    }
    b.signingKey(signing);
    List<SessionKey> others = new ArrayList<>(keys);
    others.remove(signing);
    b.verificationKeys(others);
  }

  /**
   * The environment variable that sets {@code key}: upper case, dots and dashes as underscores
   * ({@code SSEAUTH_TOKEN_TTL} for {@code sseauth.token.ttl}).
   */
  public static String environmentVariable(String key) {
    return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** Collects {@code sseauth.*} from environment variables and system properties (which win). */
  public static Map<String, String> fromEnvironment(Map<String, String> env, Properties system) {
    Map<String, String> byEnvName = new LinkedHashMap<>();
    for (String key : allKeys()) {
      byEnvName.put(environmentVariable(key), key);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      if (!e.getKey().startsWith("SSEAUTH_")) {
        continue;
      }
      String key = byEnvName.get(e.getKey());
      if (key == null) {
        throw new IllegalArgumentException("environment variable " + e.getKey() + " names no sseauth key");
      }
      out.put(key, e.getValue());
    }
    for (String name : system.stringPropertyNames()) {
      if (name.startsWith(PREFIX)) {
        out.put(name, system.getProperty(name));
      }
    }
    return out;
  }

  /** Core keys and the keys of every store provider on the class path, by name. */
  public static List<String> allKeys() {
    List<String> keys = new ArrayList<>();
    for (ConfigKey<?> k : CoreKeys.ALL) {
      keys.add(k.name());
    }
    for (StoreProvider p : providers().values()) {
      Set<String> names = new TreeSet<>();
      for (ConfigKey<?> k : p.configKeys()) {
        names.add(k.name());
      }
      keys.addAll(names);
    }
    return keys;
  }

  /** Store providers on the class path, by name. */
  public static Map<String, StoreProvider> providers() {
    Map<String, StoreProvider> out = new LinkedHashMap<>();
    for (StoreProvider p : ServiceLoader.load(StoreProvider.class, ConfigReader.class.getClassLoader())) {
      out.putIfAbsent(p.name(), p);
    }
    return out;
  }

  /**
   * Parses {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}, {@code 2d}, ISO-8601 ({@code PT30S}) or a
   * bare {@code 0}.
   *
   * @throws IllegalArgumentException naming {@code key} and the value
   */
  public static Duration duration(String key, String v) {
    Duration d = parseDuration(v);
    if (d == null) {
      throw ConfigErrors.bad(key, v, "must be a duration such as 500ms, 30s, 10m, 1h or 2d");
    }
    return d;
  }

  /** {@code v} read as {@link #duration} reads it, or null if it is not a duration. */
  public static Duration parseDuration(String v) {
    if (v.equals("0")) {
      return Duration.ZERO; // "off" for the keys that allow it; the others refuse it by their range
    }
    Matcher m = DURATION.matcher(v.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      if (v.toUpperCase(Locale.ROOT).startsWith("P")) {
        return Duration.parse(v);
      }
    } catch (DateTimeParseException ignored) {
      // not a duration
    }
    return null;
  }

  /** Formats a duration the way {@link #duration} reads it. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    if (ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  /**
   * The token format a {@code sseauth.token.format} value names, in any case.
   *
   * @throws IllegalArgumentException naming the key and the value if it names none
   */
  public static TokenFormat format(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "compact" -> TokenFormat.COMPACT;
      case "jws" -> TokenFormat.JWS;
      default -> throw CoreKeys.TOKEN_FORMAT.invalid(v);
    };
  }

  /** The handshake mode a {@code sseauth.handshake.mode} value names. */
  public static HandshakeMode mode(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "continue" -> HandshakeMode.CONTINUE;
      case "reconnect" -> HandshakeMode.RECONNECT;
      default -> throw CoreKeys.HANDSHAKE_MODE.invalid(v);
    };
  }
}
