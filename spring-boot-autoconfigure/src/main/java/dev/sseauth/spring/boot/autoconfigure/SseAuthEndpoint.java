package dev.sseauth.spring.boot.autoconfigure;

import dev.sseauth.SseAuth;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The Actuator endpoint {@code sseauth}, for operations. Expose it like any endpoint
 * ({@code management.endpoints.web.exposure.include=sseauth}) and guard it like one: its write operation
 * ends users' streams.
 *
 * <ul>
 *   <li>{@code GET /actuator/sseauth}: {@code {"liveStreams": n, "store": "memory"}}, this node's live
 *       streams ({@link SseAuth#liveStreams()}); each node counts its own.
 *   <li>{@code POST /actuator/sseauth} with {@code {"kind": "session", "id": "<sessionId>"}}: revokes one
 *       session ({@link SseAuth#revokeSession}); with {@code {"kind": "subject", "id": "<subject>"}}: every
 *       session of a subject started until now ({@link SseAuth#revokeSubject}). Their streams end on every
 *       node sharing the store. 204 once the store has recorded it; 503 if the store fails or does not
 *       answer within {@code sseauth.store.timeout}; 400 for another kind, or a missing field. The id is in
 *       the body, not the path, so any subject can be named ({@code CORP\alice}, {@code a/b}).
 * </ul>
 *
 * <p>Thread-safe.
 */
@Endpoint(id = "sseauth")
public class SseAuthEndpoint {
  private final SseAuth auth;

  /** @param auth the core whose streams it reports and revokes; never null */
  public SseAuthEndpoint(SseAuth auth) {
    this.auth = auth;
  }

  /** This node's live streams and the store's name. */
  @ReadOperation
  public Map<String, Object> streams() {
    return Map.of("liveStreams", auth.liveStreams(), "store", auth.config().storeName());
  }

  /**
   * Revokes a session or a subject.
   *
   * @param kind {@code session} or {@code subject}
   * @param id the session id or the subject
   * @return 204, or 503 if the store did not record it
   * @throws InvalidEndpointRequestException for another kind (400)
   */
  @WriteOperation
  public WebEndpointResponse<Void> revoke(String kind, String id) {
    if (!"session".equals(kind) && !"subject".equals(kind)) {
      throw new InvalidEndpointRequestException("kind must be session or subject", "kind must be session or subject");
    }
    try {
      CompletionStage<Void> done = "session".equals(kind) ? auth.revokeSession(id) : auth.revokeSubject(id);
      done.toCompletableFuture().get(auth.config().storeTimeout().toMillis(), TimeUnit.MILLISECONDS);
      return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NO_CONTENT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new WebEndpointResponse<>(WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE);
    } catch (Exception e) {
      return new WebEndpointResponse<>(WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE);
    }
  }
}
