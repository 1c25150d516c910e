package dev.sseauth.testing;

import dev.sseauth.spi.Revocation;
import dev.sseauth.spi.RevocationListener;
import dev.sseauth.spi.RevocationStatus;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.TicketGrant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** A store that forwards every call to another; tests override what they observe or break. */
public class ForwardingStore implements SseAuthStore {
  protected final SseAuthStore inner;

  public ForwardingStore(SseAuthStore inner) {
    this.inner = inner;
  }

  @Override
  public CompletionStage<Boolean> putTicket(String ticketHash, TicketGrant grant, int maxPerSubject) {
    return inner.putTicket(ticketHash, grant, maxPerSubject);
  }

  @Override
  public CompletionStage<Optional<TicketGrant>> takeTicket(String ticketHash) {
    return inner.takeTicket(ticketHash);
  }

  @Override
  public CompletionStage<Void> revoke(Revocation revocation) {
    return inner.revoke(revocation);
  }

  @Override
  public CompletionStage<RevocationStatus> revocationStatus(String sessionId, String subject) {
    return inner.revocationStatus(sessionId, subject);
  }

  @Override
  public AutoCloseable subscribe(RevocationListener listener) {
    return inner.subscribe(listener);
  }

  @Override
  public String deploymentId() {
    return inner.deploymentId();
  }

  @Override
  public void close() {
    inner.close();
  }
}
