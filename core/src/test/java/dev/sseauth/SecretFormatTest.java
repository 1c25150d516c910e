package dev.sseauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import dev.sseauth.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code sseauth.token.secret} is at least 32 random bytes written in base64 or hex; what plainly is not
 * random (a passphrase, a pattern, a sequence) is refused at startup with a message that names the key,
 * says why and how to make one, and never shows the value or its length.
 */
class SecretFormatTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  private static SseAuthConfig config(String secret) {
    return SseAuthConfig.fromMap(Map.of("sseauth.token.secret", secret));
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static byte[] keyBytes(SseAuthConfig c) {
    return ((OctetSequenceKey) c.signingKey().jwk()).toByteArray();
  }

  private static void refused(String secret, String why) {
    Throwable t = catchThrowable(() -> config(secret));
    assertThat(t).as(secret).isInstanceOf(IllegalArgumentException.class);
    // the whole message is fixed text: no value, no length, no "but was"
    assertThat(t.getMessage()).as(secret).isEqualTo("sseauth.token.secret must be at least 32 random bytes written in"
        + " base64 (or in hex after 'hex:'), but it " + why + "; make one with: openssl rand -base64 32");
  }

  @Test
  void fromMapWhenRandomSecretInEveryFormThenSameKeyBytes() {
    byte[] b = random(32);
    List<String> forms = List.of(
        Base64.getEncoder().encodeToString(b),                       // openssl rand -base64 32
        Base64.getEncoder().withoutPadding().encodeToString(b),
        Base64.getUrlEncoder().withoutPadding().encodeToString(b),
        Base64.getUrlEncoder().encodeToString(b),
        "base64:" + Base64.getEncoder().encodeToString(b),
        "hex:" + HexFormat.of().formatHex(b),                         // openssl rand -hex 32
        "hex:" + HexFormat.of().withUpperCase().formatHex(b));
    for (String f : forms) {
      assertThat(keyBytes(config(f))).as(f).isEqualTo(b);
    }
    byte[] longer = random(48); // head -c 48 /dev/urandom | base64
    assertThat(keyBytes(config(Base64.getEncoder().encodeToString(longer)))).isEqualTo(longer);
    byte[] wrapped = random(64); // openssl rand -base64 64: two lines
    String text = Base64.getEncoder().encodeToString(wrapped);
    assertThat(keyBytes(config(text.substring(0, 64) + "\n" + text.substring(64)))).isEqualTo(wrapped);
  }

  @Test
  void fromMapWhenManyRandomSecretsThenEveryOneAccepted() {
    Random r = new Random(42); // reproducible; SecureRandom's output has the same distribution
    for (int i = 0; i < 2_000; i++) {
      byte[] b = new byte[32];
      r.nextBytes(b);
      String form = switch (i % 3) {
        case 0 -> Base64.getEncoder().encodeToString(b);
        case 1 -> Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        default -> "hex:" + HexFormat.of().formatHex(b);
      };
      assertThat(keyBytes(config(form))).as(form).isEqualTo(b);
    }
  }

  @Test
  void fromMapWhenPassphraseThenRefused() {
    refused("correct horse battery staple correct horse battery", "is not valid base64");
    refused("correcthorsebatterystaples", "encodes fewer than 32 bytes");
    refused("correcthorsebatterystaplecorrecthorsebatterystaple", "uses one kind of character only (like a password, not random bytes)");
    refused("CORRECTHORSEBATTERYSTAPLECORRECTHORSEBATTERYSTAPLE", "uses one kind of character only (like a password, not random bytes)");
    refused("CorrectHorseBatteryStapleCorrectHorseBatteryStaple", "repeats a short pattern");
    Random r = new Random(1);
    StringBuilder few = new StringBuilder();
    for (int i = 0; i < 44; i++) {
      few.append("AaBbCcDdEeFfGg".charAt(r.nextInt(14)));
    }
    refused(few.toString(), "has too few distinct characters");
    // a passphrase encoded as base64 decodes to text
    refused(Base64.getEncoder().encodeToString("This is My Long Passphrase for SSE-Auth, 2024!".getBytes(StandardCharsets.UTF_8)),
        "is text (a password or passphrase), not random bytes");
  }

  @Test
  void fromMapWhenPatternOrSequenceThenRefused() {
    refused("hex:" + "00".repeat(32), "repeats a short pattern");
    refused("base64:" + Base64.getEncoder().encodeToString(new byte[32]), "uses one kind of character only (like a password, not random bytes)");
    refused(Base64.getEncoder().encodeToString(new byte[32]), "is all hex digits: write 'hex:' before a hex secret, or"
        + " 'base64:' before a base64 one");
    refused("Zq7vZq7vZq7vZq7vZq7vZq7vZq7vZq7vZq7vZq7vZq7vZq7v", "repeats a short pattern");
    refused("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr", "runs in a regular sequence");
    byte[] counting = new byte[32];
    for (int i = 0; i < 32; i++) {
      counting[i] = (byte) (i * 7);
    }
    refused(Base64.getEncoder().encodeToString(counting), "runs in a regular sequence");
    refused("hex:" + "00112233445566778899aabbccddeeff".repeat(2), "repeats a short pattern");
  }

  @Test
  void fromMapWhenNotBase64OrHexOrTooShortThenRefused() {
    String hexAdvice = "is all hex digits: write 'hex:' before a hex secret, or 'base64:' before a base64 one";
    refused("0123456789abcdef0123456789abcdef", hexAdvice);
    refused(HexFormat.of().formatHex(random(32)), hexAdvice);
    refused(Base64.getEncoder().encodeToString(random(24)), "encodes fewer than 32 bytes");
    refused("hex:" + HexFormat.of().formatHex(random(31)), "is shorter than 32 bytes");
    refused("hex:" + HexFormat.of().formatHex(random(32)) + "0", "is not valid hex");
    refused("hex:" + "zz".repeat(32), "is not valid hex");
    refused(Base64.getEncoder().encodeToString(random(33)) + "+_", "is not valid base64");
    refused("Zm9v=YmFy" + Base64.getEncoder().encodeToString(random(32)), "is not valid base64");
  }

  @Test
  void hmacSecretWhenRandomBytesThenAccepted() {
    SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).build();
    for (int i = 0; i < 1_000; i++) {
      byte[] b = random(32 + i % 64);
      assertThat(keyBytes(SseAuthConfig.builder().tokenSecret(b).build())).isEqualTo(b);
    }
  }

  @Test
  void hmacSecretWhenPlainlyNotRandomThenRefusedNamingKeyWithoutShowingIt() {
    byte[] sequence = new byte[32];
    byte[] fewValues = new byte[64];
    Random r = new Random(7);
    for (int i = 0; i < sequence.length; i++) {
      sequence[i] = (byte) i;
    }
    for (int i = 0; i < fewValues.length; i++) {
      fewValues[i] = (byte) (0x80 + r.nextInt(15));
    }
    byte[] block = random(16);
    byte[] repeated = new byte[48];
    for (int i = 0; i < repeated.length; i++) {
      repeated[i] = block[i % 16];
    }
    Map<String, byte[]> cases = new java.util.LinkedHashMap<>();
    cases.put("is shorter than 32 bytes", random(31));
    cases.put("is text (a password or passphrase), not random bytes", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    cases.put("is text", "a test secret that is at least 32 bytes long".getBytes(StandardCharsets.UTF_8));
    cases.put("repeats a short pattern", new byte[32]);
    cases.put("repeats a short pattern ", repeated);
    cases.put("runs in a regular sequence", sequence);
    cases.put("has too few distinct byte values", fewValues);
    for (Map.Entry<String, byte[]> c : cases.entrySet()) {
      Throwable t = catchThrowable(() -> SseAuthConfig.builder().tokenSecret(c.getValue()));
      assertThat(t).as(c.getKey()).isInstanceOf(IllegalArgumentException.class);
      assertThat(t.getMessage()).as(c.getKey())
          .startsWith("sseauth.token.secret must be at least 32 random bytes, but it " + c.getKey().strip())
          .contains("openssl rand -base64 32")
          .doesNotContain("but was");
    }
  }

  @Test
  void sessionKeyWhenHmacSecretIsTextThenRefused() {
    assertThatThrownBy(() -> SessionKey.hmac("k1", "another secret of at least 32 bytes!".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("an HS256 secret must be at least 32 random bytes, but it is text");
    OctetSequenceKey weak = new OctetSequenceKey.Builder(new byte[32]).keyID("old").algorithm(JWSAlgorithm.HS256).build();
    assertThatThrownBy(() -> SessionKey.fromJwk(weak))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("JWK old: an HS256 secret must be at least 32 random bytes, but it repeats a short pattern");
    assertThat(SessionKey.hmac("k1", TestKeys.OTHER_SECRET).kid()).isEqualTo("k1");
  }

  @Test
  void fromMapWhenSecretsOfTheTestsAndDemoFormsThenAccepted() {
    List<String> ok = new ArrayList<>(List.of(TestKeys.SECRET_BASE64, TestKeys.OTHER_SECRET_BASE64));
    for (String s : ok) {
      config(s);
    }
  }
}
