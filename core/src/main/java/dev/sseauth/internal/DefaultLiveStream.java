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
  private static final VarHandle HEARTBEATING;
  private static final VarHandle WROTE;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      ROTATING = l.findVarHandle(DefaultLiveStream.class, "rotating", boolean.class);
      RECHECKING = l.findVarHandle(DefaultLiveStream.class, "rechecking", boolean.class);
      RECHECK_WANTED = l.findVarHandle(DefaultLiveStream.class, "recheckWanted", long.class);
      CLOSED = l.findVarHandle(DefaultLiveStream.class, "closed", boolean.class);
      HEARTBEATING = l.findVarHandle(DefaultLiveStream.class, "heartbeating", boolean.class);
      WROTE = l.findVarHandle(DefaultLiveStream.class, "wrote", boolean.class);
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
  private volatile boolean heartbeating;
  /** Whether anything was written since the sweeper last looked: set on every write, without a clock read. */
  @SuppressWarnings("unused") // through WROTE
  private boolean wrote;
  /**
   * When the stream opened, or the earliest time of its latest write the sweeper saw; read and written by
   * the sweeper only after the stream is listed.
   */
  private long quietSinceMilli;

  DefaultLiveStream(DefaultSseAuth owner, StreamOutput output, SseIdRewriter rewriter, SessionInfo session,
      Instant knownRevocation, Instant rotateAt, long openedMilli) {
    this.owner = owner;
    this.output = DefaultSseAuth.checked(output);
    this.rewriter = rewriter;
    this.session = session;
    this.knownRevocation = knownRevocation;
    this.rotateAtMilli = rotateAt.toEpochMilli();
    this.quietSinceMilli = openedMilli;
  }

  /** The subject's latest revocation known when the session's ticket was issued; null if none. */
  Instant knownRevocation() {
    return knownRevocation;
  }

  @Override
  public void write(byte[] b, int off, int len, OutputStream out) throws IOException {
    rewriter.rewrite(b, off, len, out);
    WROTE.setOpaque(this, true);
  }

  @Override
  public SessionInfo session() {
    return session;
  }

  /**
   * Ends, rotates, rechecks or keeps alive the stream as of {@code now}; {@code previousCheck} is when the
   * sweeper last ran (a write it sees now happened after that).
   */
  void check(Instant now, long previousCheck) {
    if (closed) {
      return;
    }
    SessionInfo s = session;
    long t = now.toEpochMilli();
    if (!now.isBefore(s.expiresAt())) {
      end(now.isBefore(owner.sessionCap(s)) ? Reason.TOKEN_EXPIRED : Reason.SESSION_EXPIRED);
      return;
    }
    if (t >= rotateAtMilli && ROTATING.compareAndSet(this, false, true)) {
      owner.rotate(this);
    } else {
      startRecheck();
    }
    long heartbeat = owner.heartbeatMillis();
    if (heartbeat > 0 && !rotating) { // a rotation in flight writes an event of its own
      if (quietSinceMilli > t) {
        quietSinceMilli = t; // the clock went back
      }
      if ((boolean) WROTE.getAndSet(this, false)) {
        quietSinceMilli = Math.max(quietSinceMilli, Math.min(previousCheck, t)); // the earliest it may have written
      } else if (t - quietSinceMilli >= heartbeat && HEARTBEATING.compareAndSet(this, false, true)) {
        quietSinceMilli = t;
        output.execute(this::beat);
      }
    }
  }

  /** A heartbeat, serialised with the application's writes; a client that cannot take it is released. */
  private void beat() {
    heartbeating = false;
    if (closed) {
      return;
    }
    byte[] b = rewriter.heartbeat();
    if (b.length > 0) {
      try {
        output.write(b);
      } catch (IOException e) {
        gone();
      }
    }
  }

  /**
   * A write of ours failed: the client is gone. The stream is released and its response ended, so that the
   * application's next write fails instead of reaching an untracked stream.
   */
  private void gone() {
    if (CLOSED.compareAndSet(this, false, true)) {
      output.end(null);
      owner.forget(this, null);
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
          WROTE.setOpaque(this, true);
        } catch (IOException e) {
          gone();
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
