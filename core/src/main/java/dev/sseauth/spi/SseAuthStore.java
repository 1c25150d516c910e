package dev.sseauth.spi;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Storage for tickets and revocations, shared by every node that serves the same streams.
 *
 * <p>Every method is one atomic operation and returns at once; the result completes later, so an
 * event-loop server never blocks. A store that must block runs its calls on an executor of its own.
 * A failure (store unreachable, timeout) completes the stage exceptionally; the core then refuses
 * the request with 503, never allows it.
 *
 * <p>Implementations must be thread-safe. Keys are hashes of tickets, never tickets. A store decides
 * expiry by the {@link StoreContext#clock() clock} it was created with, in addition to any native
 * expiry of the storage engine. Every implementation must pass {@code StoreContractTest} from the
 * core's test-jar.
 */
public interface SseAuthStore extends AutoCloseable {

  /**
   * Stores a ticket grant under {@code ticketHash} until {@link TicketGrant#expiresAt()}, unless the
   * grant's subject already has {@code maxPerSubject} unexpired tickets outstanding.
   *
   * @param ticketHash the ticket's hash; never null
   * @param grant what the ticket grants; never null
   * @param maxPerSubject how many unexpired tickets one subject may have outstanding, at least 1
   * @return true if stored, false if the subject is at its limit (the cap may be exceeded by a few
   *     under concurrent puts in stores that cannot check it atomically)
   */
  CompletionStage<Boolean> putTicket(String ticketHash, TicketGrant grant, int maxPerSubject);

  /**
   * Removes and returns the grant stored under {@code ticketHash}: an atomic take. Among any number
   * of concurrent callers, on any number of nodes, at most one receives the grant.
   *
   * @return the grant, or empty if there is none or it has expired
   */
  CompletionStage<Optional<TicketGrant>> takeTicket(String ticketHash);

  /**
   * Records a revocation until its {@link Revocation#keepUntil()} (or the later {@code keepUntil} already
   * kept for the same id) and notifies every subscriber, on every node sharing this store, as soon as it
   * can (within about a second).
   *
   * <p>A subject's revocation instants strictly increase: the store records a subject revocation, in one
   * atomic step, at the later of {@link Revocation#revokedAt()} (rounded up to the millisecond) and one
   * millisecond after the revocation it already keeps for that subject, and notifies subscribers with the
   * instant it recorded. A session revocation is recorded as given.
   */
  CompletionStage<Void> revoke(Revocation revocation);

  /**
   * Looks up the revocations that could apply to one session, in one round trip: whether the session id
   * is revoked and the subject's latest kept revocation, each judged kept by this store's clock.
   *
   * @param sessionId the session id; empty to look up only the subject (before issuing a ticket)
   * @param subject the subject; never null or empty
   */
  CompletionStage<RevocationStatus> revocationStatus(String sessionId, String subject);

  /**
   * Registers a listener for revocations made through any node sharing this store, this one
   * included. The listener runs on a store thread and must not block. Whenever the store cannot be sure
   * it delivered every revocation (its notification link was cut and is restored), it calls
   * {@link RevocationListener#resync()} once the link is back.
   *
   * @return a handle whose {@code close()} removes the listener
   */
  AutoCloseable subscribe(RevocationListener listener);

  /**
   * The id of the deployment this store serves: the nodes that share this store's data, and whose
   * session tokens are valid on one another. Unless {@code sseauth.token.audience} is set, every session
   * token carries the audience {@code deploymentId()} and verifies only where the store
   * returns the same id, so two deployments that share a signing key still refuse each other's tokens.
   *
   * <p>Returns at once: a store reads or creates the id when it is built. The id is
   * <ul>
   *   <li>shared by every node of the store: kept in the stored data, created once by the first node
   *       (an atomic create-if-absent), then read by every other;
   *   <li>stable for the life of the stored data; a store whose data is lost and recreated (a Redis
   *       without persistence restarted) may change it, which voids every token minted before, as the
   *       revocations that applied to them are lost too;
   *   <li>random per store: at least 96 random bits, never derived from configuration (the built-in
   *       stores use 96 bits as 16 base64url characters: it is in every token, so keep it short);
   *   <li>never a secret: it is written into every token. 1 to 64 characters of {@code A-Z a-z 0-9 - _}.
   * </ul>
   * A node-local store (the memory store) has an id of its own per instance, so its tokens end with the
   * process, as its revocations do.
   */
  String deploymentId();

  /** Releases connections and threads. Idempotent. */
  @Override
  void close();
}
