package dev.sseauth.benchmarks;

import dev.sseauth.IssuedTicket;
import dev.sseauth.SseAuth;
import dev.sseauth.SsePrincipal;
import dev.sseauth.TicketOutcome;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Decision;
import dev.sseauth.adapter.StreamRequest;
import dev.sseauth.benchmarks.load.LoadServer;
import java.nio.charset.StandardCharsets;

/**
 * The size of what sse-auth puts on the wire, measured from a real session through the public API (no
 * internal class): a ticket issued to a 20-character subject and redeemed by the same core the load
 * servers build ({@link LoadServer#sseAuth()}), the {@code id:} of its handshake read back. Keys
 * {@code wire.token} (bytes of the token as it travels, the prefix of every event id) and
 * {@code wire.compositeId} (the whole {@code Last-Event-ID} a browser sends back for an application id of
 * 10 characters); the composite id is checked to be accepted by the core as a reconnect.
 */
public final class WireSize {
  /** A subject of exactly 20 characters. */
  public static final String SUBJECT = "user-0001@example.io";
  /** An application event id of exactly 10 characters. */
  public static final String APP_ID = "1700000000";

  private WireSize() {}

  /** Measures and records {@code wire.token} and {@code wire.compositeId}. */
  public static void run(Results results) {
    try (SseAuth auth = LoadServer.sseAuth()) {
      TicketOutcome issued = auth.issueTicket(SsePrincipal.of(SUBJECT)).toCompletableFuture().join();
      if (!(issued instanceof IssuedTicket t)) {
        throw new IllegalStateException("no ticket issued: " + issued);
      }
      Decision d = auth.decide(StreamRequest.get("slt=" + t.ticket(), null, null)).toCompletableFuture().join();
      if (!(d instanceof Allowed a)) {
        throw new IllegalStateException("the ticket was not redeemed: " + d);
      }
      String handshake = new String(a.handshake(), StandardCharsets.UTF_8);
      int at = handshake.indexOf("\nid: ");
      if (at < 0) {
        throw new IllegalStateException("the handshake has no id line");
      }
      at += "\nid: ".length();
      String prefix = handshake.substring(at, handshake.indexOf('\n', at)); // "<token><separator>"
      String composite = prefix + APP_ID;
      int tokenBytes = prefix.getBytes(StandardCharsets.UTF_8).length - 1;
      results.put("wire.token", tokenBytes, 0, "B");
      results.put("wire.compositeId", composite.getBytes(StandardCharsets.UTF_8).length, 0, "B");
      Decision again = auth.decide(StreamRequest.get(null, composite, null)).toCompletableFuture().join();
      if (!(again instanceof Allowed)) {
        results.note("wire.compositeId", "the measured composite id was not accepted as a reconnect: " + again);
      }
    }
  }
}
