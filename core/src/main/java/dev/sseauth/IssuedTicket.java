package dev.sseauth;

import dev.sseauth.adapter.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;

import java.time.Duration;
import java.util.Objects;

/**
 * A freshly issued ticket. Send it to the authenticated caller only, with
 * {@code Cache-Control: no-store}; never log it. {@link #toString()} does not show it.
 *
 * @param ticket the single-use ticket, URL-safe
 * @param expiresIn how long it stays redeemable
 * @param param the query parameter the stream URL carries it in
 * @param resumeParam the query parameter that carries the application's own last event id when a
 *     page opens a new stream with a new ticket
 * @param separator the character between the session token and the application's id in every event
 *     id: a client strips everything up to the first one before it puts an id in a URL (a token in a
 *     URL is refused and its session revoked)
 */
public record IssuedTicket(String ticket, Duration expiresIn, String param, String resumeParam, char separator)
    implements TicketOutcome {
  /** @throws NullPointerException if an argument is null */
  public IssuedTicket {
    Objects.requireNonNull(ticket, "ticket");
    Objects.requireNonNull(expiresIn, "expiresIn");
    Objects.requireNonNull(param, "param");
    Objects.requireNonNull(resumeParam, "resumeParam");
  }

  /**
   * The response body of the ticket endpoint:
   * {@code {"ticket":"...","expiresIn":30,"param":"slt","resume":"lastEventId","separator":"_"}}.
   */
  public String toJson() {
    // ticket is base64url and the parameter names are validated at configuration: no escaping needed
    String sep = separator == '"' || separator == '\\' ? "\\" + separator : String.valueOf(separator);
    return "{\"ticket\":\"" + ticket + "\",\"expiresIn\":" + expiresIn.toSeconds() + ",\"param\":\"" + param
        + "\",\"resume\":\"" + resumeParam + "\",\"separator\":\"" + sep + "\"}";
  }

  /**
   * The ticket endpoint's answer: 200, {@link #toJson()} as {@code application/json} and
   * {@code Cache-Control: no-store}.
   */
  @Override
  public Reply reply() {
    byte[] body = toJson().getBytes(StandardCharsets.UTF_8);
    return new Reply(200, List.of(new Reply.Header("Content-Type", "application/json"),
        new Reply.Header("Content-Length", String.valueOf(body.length)),
        new Reply.Header("Cache-Control", "no-store")), body);
  }

  @Override
  public String toString() {
    return "IssuedTicket[ticket=***, expiresIn=" + expiresIn + ", param=" + param + "]";
  }
}
