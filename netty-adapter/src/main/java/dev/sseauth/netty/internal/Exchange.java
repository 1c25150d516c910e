package dev.sseauth.netty.internal;

import dev.sseauth.adapter.Allowed;
import dev.sseauth.adapter.Reply;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What the handler does with one request, decided when the request arrives and kept, in request order,
 * until its response has been written. Immutable.
 */
public sealed interface Exchange {

  /** Not sse-auth's business: the request reaches the application as it came, its response passes untouched. */
  record Passed() implements Exchange {}

  /**
   * A guarded stream request the core allowed: the application sees it as {@code allowed} says, and its
   * response becomes the guarded stream if {@link Allowed#rewrites} says so.
   *
   * @param allowed the core's decision
   * @param target the request target as received, to rebuild the URI the application sees
   * @param version the request's protocol version: an HTTP/1.0 client gets a close-delimited stream
   *     whatever version the application answers with
   */
  record Guarded(Allowed allowed, RequestTarget target, HttpVersion version) implements Exchange {}

  /**
   * Answered by the handler with the core's {@code reply}; the application never sees the request.
   *
   * @param reply the response to render
   * @param version the request's protocol version, which the response carries
   * @param closeAfter whether the connection closes after the response (the request did not keep it
   *     alive, a body it announced will not come, or the reply says so)
   */
  record Answered(Reply reply, HttpVersion version, boolean closeAfter) implements Exchange {}

  /**
   * The request could not be judged (a stage of an {@code SseAuth} other than the core's completed
   * exceptionally, or a bug): it never reaches the application, nothing is sent for it (the adapter has
   * no response of its own), and the connection closes in its turn.
   */
  record Failed() implements Exchange {}
}
