package dev.sseauth.netty;

import dev.sseauth.BearerTokenVerifier;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.Reply;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Tells the ticket endpoint of {@link SseAuthHandler} who is asking: the application's own
 * authentication (a session cookie, a bearer token, a client certificate) expressed for a Netty request.
 * A ticket is issued only to the principal it returns.
 *
 * <p>Implementations must be thread-safe and must not block: {@link #resolve} is called on the channel's
 * event loop; do slow work (a database lookup) on another executor and return its stage. The request is
 * valid only until the returned stage completes and must not be retained or released.
 */
@FunctionalInterface
public interface NettyPrincipalResolver {

  /**
   * Resolves the principal of a ticket request.
   *
   * @param request the request line and headers (the body is not read); never null
   * @return completes with the principal, or with null if the request is not authenticated; the
   *     endpoint then refuses it ({@link dev.sseauth.Reason#NOT_AUTHENTICATED}), as it does when the
   *     stage completes exceptionally or this method throws ({@link dev.sseauth.SseAuth#answerTicketRequest})
   */
  CompletionStage<SsePrincipal> resolve(HttpRequest request);

  /**
   * A resolver that verifies {@code Authorization: Bearer <JWT>} with {@code verifier}: at once with keys from
   * configuration, off the event loop with a JWK set URL ({@link BearerTokenVerifier#verifyAsync}).
   *
   * @param verifier the verifier, usually {@code config.bearerVerifier()}; never null
   */
  static NettyPrincipalResolver bearer(BearerTokenVerifier verifier) {
    Objects.requireNonNull(verifier, "verifier");
    return request -> verifier.verifyAsync(request.headers().get(Reply.Header.AUTHORIZATION))
        .thenApply(p -> p.orElse(null));
  }
}
