package dev.sseauth.internal;

import dev.sseauth.adapter.LiveStream;
import dev.sseauth.Reason;
import dev.sseauth.SessionInfo;
import dev.sseauth.adapter.StreamOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;

/**
 * A tracked live stream. The sweeper thread calls {@link #check}; rotation results arrive on store
 * threads; the rewriter is touched only by the adapter's serialised writes and by tasks handed to
 * {@link StreamOutput#execute}. The flags are plain fields set through {@link VarHandle}s rather than
 * atomic holder objects: four objects fewer per held stream.
 */
final class DefaultLiveStream implements LiveStream {
  private static final VarHandle ROTATING;
  private static final VarHandle RECHECKING;
  private static final VarHandle RECHECK_WANTED;
  private static final VarHandle CLOSED;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      ROTATING = l.findVarHandle(DefaultLiveStream.class, "rotating", boolean.class);
      RECHECKING = l.findVarHandle(DefaultLiveStream.class, "rechecking", boolean.class);
      RECHECK_WANTED = l.findVarHandle(DefaultLiveStream.class, "recheckWanted", long.class);
      CLOSED = l.findVarHandle(DefaultLiveStream.class, "closed", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final DefaultSseAuth owner;
  private final StreamOutput output;
  private final SseIdRewriter rewriter;
  private final Instant knownRevocation;
  private volatile boolean rotating;
  private volatile boolean rechecking;
  private volatile long recheckWanted;
  private volatile long recheckDone;
  private volatile boolean closed;
  private volatile SessionInfo session;
  private volatile long rotateAtMilli; // a long, not an Instant: one object less per held stream

  DefaultLiveStream(DefaultSseAuth owner, StreamOutput output, SseIdRewriter rewriter, SessionInfo session,
      Instant knownRevocation, Instant rotateAt) {
    this.owner = owner;
    this.output = DefaultSseAuth.checked(output);
    this.rewriter = rewriter;
    this.session = session;
    this.knownRevocation = knownRevocation;
    this.rotateAtMilli = rotateAt.toEpochMilli();
  }

  /** The subject's latest revocation known when the session's ticket was issued; null if none. */
  Instant knownRevocation() {
    return knownRevocation;
  }

  @Override
  public void write(byte[] b, int off, int len, OutputStream out) throws IOException {
    rewriter.rewrite(b, off, len, out);
  }

  @Override
  public SessionInfo session() {
    return session;
  }

  void check(Instant now) {
    if (closed) {
      return;
    }
    SessionInfo s = session;
    if (!now.isBefore(s.expiresAt())) {
      end(now.isBefore(owner.sessionCap(s)) ? Reason.TOKEN_EXPIRED : Reason.SESSION_EXPIRED);
    } else if (now.toEpochMilli() >= rotateAtMilli && ROTATING.compareAndSet(this, false, true)) {
      owner.rotate(this);
    } else {
      startRecheck();
    }
  }

  /**
   * Asks for the session's revocation status to be looked up again: at once if the owner has room for
   * another lookup in flight, else at a later check, and at every check until a lookup that started
   * after this call succeeds.
   */
  void recheck() {
    RECHECK_WANTED.getAndAdd(this, 1L);
    startRecheck();
  }

  private void startRecheck() {
    if (recheckWanted != recheckDone && RECHECKING.compareAndSet(this, false, true)) {
      if (!owner.recheck(this, recheckWanted)) {
        rechecking = false; // no room: the next check tries again
      }
    }
  }

  /** A lookup asked for as {@code wanted} ended; {@code ok} if the store answered. */
  void rechecked(long wanted, boolean ok) {
    if (ok && wanted > recheckDone) {
      recheckDone = wanted;
    }
    rechecking = false;
  }

  void rotated(String wireToken, SessionInfo newSession, Instant nextRotation) {
    session = newSession;
    rotateAtMilli = nextRotation.toEpochMilli();
    rotating = false;
    output.execute(() -> {
      if (closed) {
        return;
      }
      byte[] event = rewriter.rotate(wireToken);
      if (event.length > 0) {
        try {
          output.write(event);
        } catch (IOException e) {
          close(); // the client is gone; the adapter ends the response
        }
      }
    });
  }

  void rotationFailed() {
    rotating = false;
  }

  void end(Reason reason) {
    if (CLOSED.compareAndSet(this, false, true)) {
      output.end(reason); // first: the end is enforced whatever the listener does
      owner.forget(this, reason);
    }
  }

  /** Whether the stream has ended or been closed. */
  boolean closed() {
    return closed;
  }

  @Override
  public void close() {
    if (CLOSED.compareAndSet(this, false, true)) {
      owner.forget(this, null);
    }
  }
}
