package dev.sseauth;

import java.time.Duration;
import java.util.Objects;

/**
 * A freshly issued ticket. Send it to the authenticated caller only, with
 * {@code Cache-Control: no-store}; never log it. {@link #toString()} does not show it.
 *
 * @param ticket the single-use ticket, URL-safe
 * @param expiresIn how long it stays redeemable
 * @param param the query parameter the stream URL carries it in
 */
public record IssuedTicket(String ticket, Duration expiresIn, String param) implements TicketOutcome {
  /** @throws NullPointerException if an argument is null */
  public IssuedTicket {
    Objects.requireNonNull(ticket, "ticket");
    Objects.requireNonNull(expiresIn, "expiresIn");
    Objects.requireNonNull(param, "param");
  }

  /** The response body of the ticket endpoint: {@code {"ticket":"...","expiresIn":30,"param":"slt"}}. */
  public String toJson() {
    // ticket is base64url and param is validated at configuration: neither needs escaping.
    return "{\"ticket\":\"" + ticket + "\",\"expiresIn\":" + expiresIn.toSeconds() + ",\"param\":\"" + param + "\"}";
  }

  @Override
  public String toString() {
    return "IssuedTicket[ticket=***, expiresIn=" + expiresIn + ", param=" + param + "]";
  }
}
