package dev.sseauth.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** Ticket and id generation and hashing. Thread-safe. */
public final class Tickets {
  /** Length of a ticket: 256 bits in unpadded base64url. */
  public static final int TICKET_LENGTH = 43;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Tickets() {}

  /** A new ticket: 256 random bits, unpadded base64url. */
  public static String newTicket() {
    return randomId(32);
  }

  /** {@code bytes} random bytes as unpadded base64url. */
  public static String randomId(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return B64.encodeToString(b);
  }

  /** Whether {@code s} has the form of a ticket; checked before any store access. */
  public static boolean wellFormed(String s) {
    if (s == null || s.length() != TICKET_LENGTH) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!isBase64Url(s.charAt(i))) {
        return false;
      }
    }
    // the last character of 256 bits carries 2 zero padding bits: only every fourth symbol occurs (canonical form)
    return "AEIMQUYcgkosw048".indexOf(s.charAt(TICKET_LENGTH - 1)) >= 0;
  }

  /** The store key of a ticket: SHA-256, unpadded base64url. A store dump yields no usable ticket. */
  public static String hash(String ticket) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return B64.encodeToString(md.digest(ticket.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  static boolean isBase64Url(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  }
}
