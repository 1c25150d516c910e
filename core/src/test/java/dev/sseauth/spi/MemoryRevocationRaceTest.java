package dev.sseauth.spi;

import dev.sseauth.internal.MemoryStore;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Two nodes sharing one memory store: the core's side of the races, with no network in between. */
class MemoryRevocationRaceTest extends RevocationRaceTest {
  private MemoryStore shared;

  @Override
  protected String uniquePrefix() {
    shared = null;
    return "memory";
  }

  @Override
  protected void deleteAll(String prefix) {
    shared.close();
  }

  /** The first node's clock decides expiry, as one server's clock would. */
  @Override
  protected SseAuthStore createNodeStore(String prefix, Clock clock) {
    if (shared == null) {
      shared = new MemoryStore(clock, 100_000);
    }
    MemoryStore store = shared;
    return new SseAuthStore() {
      @Override
      public CompletionStage<Boolean> putTicket(String ticketHash, TicketGrant grant, int maxPerSubject) {
        return store.putTicket(ticketHash, grant, maxPerSubject);
      }

      @Override
      public CompletionStage<Optional<TicketGrant>> takeTicket(String ticketHash) {
        return store.takeTicket(ticketHash);
      }

      @Override
      public CompletionStage<Void> revoke(Revocation revocation) {
        return store.revoke(revocation);
      }

      @Override
      public CompletionStage<RevocationStatus> revocationStatus(String sessionId, String subject) {
        return store.revocationStatus(sessionId, subject);
      }

      @Override
      public AutoCloseable subscribe(RevocationListener listener) {
        return store.subscribe(listener);
      }

      @Override
      public String deploymentId() {
        return store.deploymentId();
      }

      @Override
      public void close() {} // the test closes the shared store
    };
  }
}
