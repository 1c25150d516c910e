package dev.sseauth;

import dev.sseauth.adapter.StreamRequest;

import dev.sseauth.adapter.Decision;

import dev.sseauth.adapter.Allowed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.testing.TestKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Exactly one of many concurrent redeemers of one ticket wins, every time. */
class TicketRaceTest {
  private static final int THREADS = 8;
  private static final int ROUNDS = 10_000;

  @Test
  void decideWhenEightThreadsRaceForOneTicketTenThousandTimesThenExactlyOneWinsEachTime() throws Exception {
    try (SseAuth auth = SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET).ticketMaxPerSubject(2).build())) {
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      String[] ticket = new String[1];
      AtomicInteger winners = new AtomicInteger();
      List<Integer> badRounds = new ArrayList<>();
      CyclicBarrier finished = new CyclicBarrier(THREADS);
      CyclicBarrier barrier = new CyclicBarrier(THREADS, () -> {
        // runs once per round, before the threads race: issue the round's ticket
        try {
          ticket[0] = ((IssuedTicket) auth.issueTicket(SsePrincipal.of("racer")).toCompletableFuture().get()).ticket();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      AtomicInteger[] perRound = new AtomicInteger[ROUNDS];
      for (int i = 0; i < ROUNDS; i++) {
        perRound[i] = new AtomicInteger();
      }
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        fs.add(pool.submit(() -> {
          for (int round = 0; round < ROUNDS; round++) {
            barrier.await();
            Decision d = auth.decide(StreamRequest.get("slt=" + ticket[0], null, null)).toCompletableFuture().get();
            if (d instanceof Allowed) {
              perRound[round].incrementAndGet();
              winners.incrementAndGet();
            } else {
              assertThat(((Denied) d).reason()).isEqualTo(Reason.INVALID_TICKET);
            }
            finished.await(); // everyone finished this round before the next ticket is issued
          }
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get(5, TimeUnit.MINUTES);
      }
      pool.shutdownNow();
      for (int i = 0; i < ROUNDS; i++) {
        if (perRound[i].get() != 1) {
          badRounds.add(i);
        }
      }
      assertThat(badRounds).as("rounds without exactly one winner").isEmpty();
      assertThat(winners.get()).isEqualTo(ROUNDS);
    }
  }
}
