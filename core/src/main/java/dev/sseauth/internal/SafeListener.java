package dev.sseauth.internal;

import dev.sseauth.Reason;
import dev.sseauth.SseAuthListener;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * The application's {@link SseAuthListener} behind a guard: what it throws, errors included (a class
 * that fails to load after a redeploy, an assertion), goes no further, so observing never changes an
 * outcome; only the JVM's own failures ({@link VirtualMachineError}) pass. It is logged by class only (its
 * message may quote anything), at most once a minute. The core calls the listener after the step it
 * reports is done. Thread-safe if the listener is.
 */
final class SafeListener implements SseAuthListener {
  private static final Logger LOG = System.getLogger("dev.sseauth");

  private final SseAuthListener listener;
  private final OncePer logged = new OncePer(Duration.ofMinutes(1));

  SafeListener(SseAuthListener listener) {
    this.listener = listener;
  }

  private void guarded(Runnable call) {
    try {
      call.run();
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      if (logged.due()) {
        LOG.log(Level.WARNING, "an SseAuthListener threw {0}; ignored (logged at most once a minute)",
            e.getClass().getName());
      }
    }
  }

  @Override
  public void ticketIssued() {
    guarded(() -> listener.ticketIssued());
  }

  @Override
  public void ticketRefused(Reason reason) {
    guarded(() -> listener.ticketRefused(reason));
  }

  @Override
  public void streamAllowed(Credential credential, long nanos) {
    guarded(() -> listener.streamAllowed(credential, nanos));
  }

  @Override
  public void streamDenied(Reason reason, long nanos) {
    guarded(() -> listener.streamDenied(reason, nanos));
  }

  @Override
  public void streamOpened() {
    guarded(() -> listener.streamOpened());
  }

  @Override
  public void streamEnded(Reason reason) {
    guarded(() -> listener.streamEnded(reason));
  }

  @Override
  public void tokenRotated() {
    guarded(() -> listener.tokenRotated());
  }

  @Override
  public void revocationReceived() {
    guarded(() -> listener.revocationReceived());
  }

  @Override
  public void storeUnavailable() {
    guarded(() -> listener.storeUnavailable());
  }
}
