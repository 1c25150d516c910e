package dev.sseauth.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails every test after which Netty's leak detector reports a leaked buffer. Registered for all tests
 * by auto-detection (surefire sets {@code junit.jupiter.extensions.autodetection.enabled}); it installs a
 * recording {@link ResourceLeakDetectorFactory} before any buffer class is initialised and forces the
 * level to PARANOID, so every buffer is tracked.
 */
public final class LeakDetectionExtension implements AfterEachCallback {
  private static final List<String> LEAKS = new ArrayList<>();

  static {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
      @Override
      @SuppressWarnings("deprecation")
      public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
        return new ResourceLeakDetector<>(resource, samplingInterval) {
          @Override
          protected void reportTracedLeak(String resourceType, String records) {
            record(resourceType + records);
            super.reportTracedLeak(resourceType, records);
          }

          @Override
          protected void reportUntracedLeak(String resourceType) {
            record(resourceType);
            super.reportUntracedLeak(resourceType);
          }
        };
      }
    });
  }

  private static synchronized void record(String leak) {
    LEAKS.add(leak);
  }

  /** Collects garbage, lets the detector report what it found, and returns (and forgets) the reports. */
  public static List<String> collectLeaks() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      LockSupport.parkNanos(10_000_000); // give the reference handler a moment to enqueue
      for (int j = 0; j < 4; j++) { // each tracked allocation polls the detector's reference queue
        ByteBuf probe = UnpooledByteBufAllocator.DEFAULT.buffer(1);
        probe.release();
      }
    }
    synchronized (LeakDetectionExtension.class) {
      List<String> found = List.copyOf(LEAKS);
      LEAKS.clear();
      return found;
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<String> leaks = collectLeaks();
    if (!leaks.isEmpty()) {
      throw new AssertionError(leaks.size() + " ByteBuf leak(s) reported during "
          + context.getDisplayName() + ":\n" + String.join("\n", leaks));
    }
  }
}
