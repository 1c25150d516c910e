package dev.sseauth.internal;

import dev.sseauth.BearerTokenVerifier;
import dev.sseauth.HandshakeMode;
import dev.sseauth.SessionKey;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.spi.StoreProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code sseauth.*} properties into an {@link SseAuthConfig.Builder}: a thin layer over it. Its
 * messages follow {@link ConfigErrors}: an unknown key is named, its value never shown.
 */
public final class ConfigReader {
  /** The prefix of every key. */
  public static final String PREFIX = "sseauth.";

  /** Every core key. Store keys ({@code sseauth.<store>.*}) are declared by store providers. */
  public static final List<String> CORE_KEYS = List.of(
      "sseauth.paths", "sseauth.ticket.path", "sseauth.ticket.param", "sseauth.ticket.ttl",
      "sseauth.ticket.max-per-subject", "sseauth.resume.param", "sseauth.token.secret",
      "sseauth.token.kid", "sseauth.token.jwks-file", "sseauth.token.signing-kid", "sseauth.token.ttl",
      "sseauth.token.rotate-after", "sseauth.token.clock-skew", "sseauth.token.issuer",
      "sseauth.token.audience", "sseauth.token.max-length", "sseauth.session.max-lifetime",
      "sseauth.handshake.mode", "sseauth.handshake.event", "sseauth.handshake.retry",
      "sseauth.rotation.event", "sseauth.id.separator", "sseauth.origins", "sseauth.store",
      "sseauth.store.timeout", "sseauth.stream.check-interval", "sseauth.bearer.secret",
      "sseauth.bearer.jwks-file", "sseauth.bearer.issuer", "sseauth.bearer.audience",
      "sseauth.bearer.attribute-claims");

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  private ConfigReader() {}

  /** Applies every {@code sseauth.*} entry of {@code properties} to {@code b}. */
  public static SseAuthConfig.Builder read(Map<String, String> properties, SseAuthConfig.Builder b) {
    Map<String, String> p = new TreeMap<>();
    properties.forEach((k, v) -> {
      if (k.startsWith(PREFIX)) {
        p.put(k, v == null ? "" : v.trim());
      }
    });
    String storeName = p.getOrDefault("sseauth.store", "memory");
    Map<String, StoreProvider> providers = providers();
    Map<String, String> storeProps = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : p.entrySet()) {
      String key = e.getKey();
      if (CORE_KEYS.contains(key)) {
        continue;
      }
      String owner = key.substring(PREFIX.length()).split("\\.", 2)[0];
      StoreProvider provider = providers.get(owner);
      if (provider == null || !provider.propertyKeys().contains(key)) {
        throw new IllegalArgumentException("unknown configuration key " + key + "; known keys: "
            + String.join(", ", allKeys()));
      }
      if (!owner.equals(storeName)) {
        throw ConfigErrors.about(key, "is set, but sseauth.store is '" + storeName + "', not '" + owner + "'");
      }
      storeProps.put(key, e.getValue());
    }
    b.storeProperties(storeProps);

    apply(p, "sseauth.paths", v -> b.paths(list(v)));
    apply(p, "sseauth.ticket.path", b::ticketPath);
    apply(p, "sseauth.ticket.param", b::ticketParam);
    apply(p, "sseauth.ticket.ttl", v -> b.ticketTtl(duration("sseauth.ticket.ttl", v)));
    apply(p, "sseauth.ticket.max-per-subject", v -> b.ticketMaxPerSubject(integer("sseauth.ticket.max-per-subject", v)));
    apply(p, "sseauth.resume.param", b::resumeParam);
    apply(p, "sseauth.token.ttl", v -> b.tokenTtl(duration("sseauth.token.ttl", v)));
    apply(p, "sseauth.token.rotate-after", v -> b.tokenRotateAfter(duration("sseauth.token.rotate-after", v)));
    apply(p, "sseauth.token.clock-skew", v -> b.tokenClockSkew(duration("sseauth.token.clock-skew", v)));
    apply(p, "sseauth.token.issuer", b::tokenIssuer);
    apply(p, "sseauth.token.audience", b::tokenAudience);
    apply(p, "sseauth.token.max-length", v -> b.tokenMaxLength(integer("sseauth.token.max-length", v)));
    apply(p, "sseauth.session.max-lifetime", v -> b.sessionMaxLifetime(duration("sseauth.session.max-lifetime", v)));
    apply(p, "sseauth.handshake.mode", v -> b.handshakeMode(mode(v)));
    apply(p, "sseauth.handshake.event", b::handshakeEvent);
    apply(p, "sseauth.handshake.retry", v -> b.handshakeRetry(duration("sseauth.handshake.retry", v)));
    apply(p, "sseauth.rotation.event", b::rotationEvent);
    apply(p, "sseauth.id.separator", v -> {
      if (v.length() != 1) {
        throw ConfigErrors.bad("sseauth.id.separator", v, "must be exactly one character");
      }
      b.idSeparator(v.charAt(0));
    });
    apply(p, "sseauth.origins", v -> b.origins(new LinkedHashSet<>(list(v))));
    apply(p, "sseauth.store", b::store);
    apply(p, "sseauth.store.timeout", v -> b.storeTimeout(duration("sseauth.store.timeout", v)));
    apply(p, "sseauth.stream.check-interval", v -> b.streamCheckInterval(duration("sseauth.stream.check-interval", v)));
    keys(p, b);
    bearer(p, b);
    return b;
  }

  private static void bearer(Map<String, String> p, SseAuthConfig.Builder b) {
    String secret = p.get("sseauth.bearer.secret");
    String file = p.get("sseauth.bearer.jwks-file");
    if ((secret == null || secret.isEmpty()) && (file == null || file.isEmpty())) {
      for (String k : List.of("sseauth.bearer.issuer", "sseauth.bearer.audience", "sseauth.bearer.attribute-claims")) {
        if (p.containsKey(k)) {
          throw ConfigErrors.about(k, "is set, but neither sseauth.bearer.secret nor sseauth.bearer.jwks-file is");
        }
      }
      return;
    }
    if (secret != null && !secret.isEmpty() && file != null && !file.isEmpty()) {
      throw new IllegalArgumentException("set sseauth.bearer.secret or sseauth.bearer.jwks-file, not both (jwks-file was '"
          + file + "')");
    }
    String issuer = p.get("sseauth.bearer.issuer");
    String audience = p.get("sseauth.bearer.audience");
    List<String> attrs = p.containsKey("sseauth.bearer.attribute-claims") ? list(p.get("sseauth.bearer.attribute-claims")) : List.of();
    java.time.Clock clock = java.time.Clock.systemUTC();
    if (secret != null && !secret.isEmpty()) {
      b.bearerVerifier(BearerTokenVerifier.hmac(secret.getBytes(StandardCharsets.UTF_8), issuer, audience, attrs, clock));
    } else {
      String json;
      try {
        json = Files.readString(Path.of(file));
      } catch (IOException e) {
        throw new IllegalArgumentException("sseauth.bearer.jwks-file cannot be read: '" + file + "' (" + e + ")");
      }
      b.bearerVerifier(BearerTokenVerifier.jwkSet(json, issuer, audience, attrs, clock));
    }
  }

  private static void keys(Map<String, String> p, SseAuthConfig.Builder b) {
    String secret = p.get("sseauth.token.secret");
    String kid = p.getOrDefault("sseauth.token.kid", "k1");
    String jwksFile = p.get("sseauth.token.jwks-file");
    String signingKid = p.get("sseauth.token.signing-kid");
    List<SessionKey> keys = new ArrayList<>();
    if (secret != null && !secret.isEmpty()) {
      keys.add(SessionKey.hmac(kid, Secrets.decode("sseauth.token.secret", secret)));
    }
    if (jwksFile != null && !jwksFile.isEmpty()) {
      try {
        keys.addAll(SessionKey.fromJwkSet(Files.readString(Path.of(jwksFile))));
      } catch (IOException e) {
        throw new IllegalArgumentException("sseauth.token.jwks-file cannot be read: '" + jwksFile + "' (" + e + ")");
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("sseauth.token.jwks-file '" + jwksFile + "' is invalid: " + e.getMessage());
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
        throw ConfigErrors.bad("sseauth.token.signing-kid", signingKid, "names no configured key with a private part");
      }
    } else if (secret != null && !secret.isEmpty()) {
      signing = keys.get(0);
    } else {
      List<SessionKey> signers = keys.stream().filter(SessionKey::canSign).toList();
      if (signers.size() != 1) {
        throw new IllegalArgumentException("sseauth.token.signing-kid must name the signing key of sseauth.token.jwks-file '"
            + jwksFile + "' (it has " + signers.size() + " keys with a private part)");
      }
      signing = signers.get(0);
    }
    b.signingKey(signing);
    List<SessionKey> others = new ArrayList<>(keys);
    others.remove(signing);
    b.verificationKeys(others);
  }

  /** Collects {@code sseauth.*} from environment variables and system properties (which win). */
  public static Map<String, String> fromEnvironment(Map<String, String> env, Properties system) {
    Map<String, String> byEnvName = new LinkedHashMap<>();
    for (String key : allKeys()) {
      byEnvName.put(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), key);
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

  /** Core keys and the keys of every store provider on the class path. */
  public static List<String> allKeys() {
    List<String> keys = new ArrayList<>(CORE_KEYS);
    for (StoreProvider p : providers().values()) {
      keys.addAll(new java.util.TreeSet<>(p.propertyKeys()));
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
   * Parses {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}, {@code 2d} or ISO-8601 ({@code PT30S}).
   *
   * @throws IllegalArgumentException naming {@code key} and the value
   */
  public static Duration duration(String key, String v) {
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
      // fall through to the error below
    }
    throw ConfigErrors.bad(key, v, "must be a duration such as 500ms, 30s, 10m, 1h or 2d");
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

  private static int integer(String key, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw ConfigErrors.bad(key, v, "must be a whole number");
    }
  }

  private static HandshakeMode mode(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "continue" -> HandshakeMode.CONTINUE;
      case "reconnect" -> HandshakeMode.RECONNECT;
      default -> throw ConfigErrors.bad("sseauth.handshake.mode", v, "must be continue or reconnect");
    };
  }

  private static List<String> list(String v) {
    return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private interface Setter {
    void set(String v);
  }

  private static void apply(Map<String, String> p, String key, Setter setter) {
    String v = p.get(key);
    if (v != null) {
      setter.set(v);
    }
  }
}
