package dev.sseauth.internal;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Bounds every store call by the configured timeout and logs an outage once: one line when the store
 * starts failing, one when it answers again, never one per request. Thread-safe.
 */
final class StoreGuard {
  private static final Logger LOG = System.getLogger("dev.sseauth.store");

  private final String storeName;
  private final long timeoutMillis;
  private final AtomicBoolean down = new AtomicBoolean();
  private final Runnable onFailure;

  /** @param onFailure told of every call that fails or times out */
  StoreGuard(String storeName, Duration timeout, Runnable onFailure) {
    this.storeName = storeName;
    this.timeoutMillis = timeout.toMillis();
    this.onFailure = onFailure;
  }

  /** Calls the store; the result fails if the store fails, throws or does not answer in time. */
  <T> CompletableFuture<T> call(Supplier<CompletionStage<T>> call) {
    CompletableFuture<T> f;
    try {
      f = call.get().toCompletableFuture();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    return f.copy().orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
      if (e == null) {
        if (down.compareAndSet(true, false)) {
          LOG.log(Level.INFO, "sse-auth store ''{0}'' answers again; stream requests are served", storeName);
        }
      } else {
        onFailure.run();
        if (!down.compareAndSet(false, true)) {
          return; // logged when the outage began
        }
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        LOG.log(Level.WARNING, "sse-auth store ''{0}'' unavailable ({1}); stream requests are refused with 503 until it answers",
            storeName, cause.getClass().getName());
      }
    });
  }

  boolean isDown() {
    return down.get();
  }
}
