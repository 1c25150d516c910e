package dev.sseauth.testing;

import dev.sseauth.IssuedTicket;
import dev.sseauth.SseAuth;
import dev.sseauth.SsePrincipal;
import dev.sseauth.TicketOutcome;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Decision;
import dev.sseauth.adapter.StreamRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The steps every test takes through the core's API: issue a ticket, redeem it, read the handshake's
 * composite id, resume with it. One place, so that a change to the core's API is one change here.
 * Stateless and thread-safe.
 */
public final class Tickets {
  /** How long a step may take before the test fails. */
  public static final Duration TIMEOUT = Duration.ofSeconds(20);

  private static final Pattern AUTH_ID = Pattern.compile("event: auth\nid: ([^\n]*)\n");

  private Tickets() {}

  /** The value of {@code stage}, failing the test if it does not complete within {@link #TIMEOUT}. */
  public static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new CompletionException(e.getCause());
    }
  }

  /** A fresh ticket of {@code subject} issued by {@code node}; fails the test if none is issued. */
  public static String ticket(SseAuth node, String subject) {
    return ticket(node, SsePrincipal.of(subject));
  }

  /** A fresh ticket of {@code principal} issued by {@code node}; fails the test if none is issued. */
  public static String ticket(SseAuth node, SsePrincipal principal) {
    TicketOutcome o = await(node.issueTicket(principal));
    if (!(o instanceof IssuedTicket t)) {
      throw new AssertionError("no ticket issued: " + o);
    }
    return t.ticket();
  }

  /** A stream request (GET, no Last-Event-ID, no Origin) that presents {@code ticket}. */
  public static StreamRequest withTicket(String ticket) {
    return StreamRequest.get("slt=" + ticket, null, null);
  }

  /** What {@code node} decides for a stream request presenting {@code ticket}. */
  public static Decision redeem(SseAuth node, String ticket) {
    return await(node.decide(withTicket(ticket)));
  }

  /** What {@code node} decides for a reconnect that sends {@code lastEventId} (a composite id). */
  public static Decision resume(SseAuth node, String lastEventId) {
    return await(node.decide(StreamRequest.get(null, lastEventId, null)));
  }

  /**
   * The composite id of the handshake's {@code auth} event ({@code <token>_}, or {@code <token>_<id>} when
   * the ticket resumed after an id): what the browser sends back as Last-Event-ID.
   */
  public static String handshakeId(Allowed allowed) {
    String text = new String(allowed.handshake(), StandardCharsets.UTF_8);
    Matcher m = AUTH_ID.matcher(text);
    if (!m.find()) {
      throw new AssertionError("no auth event with an id in the handshake");
    }
    return m.group(1);
  }

  /** The handshake's composite id after {@code node} redeemed a fresh ticket of {@code subject}. */
  public static String handshakeId(SseAuth node, String subject) {
    Decision d = redeem(node, ticket(node, subject));
    if (!(d instanceof Allowed a)) {
      throw new AssertionError("a fresh ticket was refused: " + d);
    }
    return handshakeId(a);
  }

  /** The session token in a composite id: everything before its last {@code _}. */
  public static String tokenOf(String compositeId) {
    return compositeId.substring(0, compositeId.lastIndexOf('_'));
  }
}
