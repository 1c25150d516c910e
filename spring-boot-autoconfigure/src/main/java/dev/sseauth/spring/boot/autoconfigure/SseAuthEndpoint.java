package dev.sseauth.spring.boot.autoconfigure;

import dev.sseauth.SseAuth;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
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
 *   <li>{@code POST /actuator/sseauth/sessions/{sessionId}}: revokes one session
 *       ({@link SseAuth#revokeSession}); {@code POST /actuator/sseauth/subjects/{subject}}: every session of
 *       a subject started until now ({@link SseAuth#revokeSubject}). Their streams end on every node sharing
 *       the store. 204 once the store has recorded it; 503 if the store fails or does not answer within
 *       {@code sseauth.store.timeout}; 400 for another kind than {@code sessions} or {@code subjects}.
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
   * @param kind {@code sessions} or {@code subjects}
   * @param id the session id or the subject
   * @return 204, or 503 if the store did not record it
   * @throws InvalidEndpointRequestException for another kind (400)
   */
  @WriteOperation
  public WebEndpointResponse<Void> revoke(@Selector String kind, @Selector String id) {
    CompletionStage<Void> done = switch (kind) {
      case "sessions" -> auth.revokeSession(id);
      case "subjects" -> auth.revokeSubject(id);
      default -> throw new InvalidEndpointRequestException("revoke sessions/{id} or subjects/{subject}",
          "the kind must be sessions or subjects");
    };
    try {
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
