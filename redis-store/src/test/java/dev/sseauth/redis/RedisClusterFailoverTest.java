package dev.sseauth.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sseauth.spi.Revocation;
import dev.sseauth.spi.SseAuthStore;
import dev.sseauth.spi.TicketGrant;
import dev.sseauth.testing.Await;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A failover of the master that holds the tickets' slots, while two sse-auth nodes race to take every
 * ticket: each is taken at most once, whatever the timing; a take that meets the moving slot is refused
 * (fails), never allowed twice.
 */
class RedisClusterFailoverTest {
  private final String prefix = TestRedis.uniquePrefix("cluster-failover");
  private SseAuthStore a;
  private SseAuthStore b;

  @AfterEach
  void stop() {
    for (SseAuthStore s : new SseAuthStore[] {a, b}) {
      if (s != null) {
        s.close();
      }
    }
    TestRedisCluster.deleteKeys(prefix);
  }

  @Test
  void takeWhenTheSlotsMasterFailsOverThenEveryTicketIsTakenAtMostOnceAndNoneIsLost() throws Exception {
    a = RedisStore.builder().uri(TestRedisCluster.URI).keyPrefix(prefix).build();
    b = RedisStore.builder().uri(TestRedisCluster.URI).keyPrefix(prefix).build();
    RedisClusterClient admin = TestRedisCluster.client();
    try (StatefulRedisClusterConnection<String, String> c = admin.connect()) {
      RedisClusterNode[] pair = masterAndReplica(admin);
      RedisClusterNode master = pair[0];
      RedisClusterNode replica = pair[1];
      // tickets whose keys live on that master
      List<String> hashes = new ArrayList<>();
      for (int i = 0; hashes.size() < 300; i++) {
        String h = "h" + i;
        if (master.hasSlot(SlotHash.getSlot(prefix + "t:" + h))) {
          hashes.add(h);
        }
      }
      Instant now = Instant.now();
      for (String h : hashes) {
        TicketGrant g = new TicketGrant("s-" + h, Map.of(), now, now.plus(Duration.ofMinutes(5)), null);
        assertThat(a.putTicket(h, g, 16).toCompletableFuture().get(5, TimeUnit.SECONDS)).isTrue();
      }
      // the steady state before the failure: the replica has the tickets
      assertThat(c.getConnection(master.getNodeId()).sync().waitForReplication(1, 5000)).isEqualTo(1);

      Map<String, AtomicInteger> taken = new ConcurrentHashMap<>();
      AtomicInteger refused = new AtomicInteger();
      AtomicBoolean moving = new AtomicBoolean(true);
      AtomicInteger cleanPasses = new AtomicInteger(); // passes over every ticket left without a refusal
      CountDownLatch racers = new CountDownLatch(2);
      for (SseAuthStore node : new SseAuthStore[] {a, b}) {
        Thread t = new Thread(() -> {
          try {
            while (moving.get()) { // both nodes keep trying every ticket while the slot moves
              int before = refused.get();
              for (String h : hashes) {
                if (taken.containsKey(h)) {
                  continue;
                }
                try {
                  Optional<TicketGrant> g = node.takeTicket(h).toCompletableFuture().get(10, TimeUnit.SECONDS);
                  g.ifPresent(x -> taken.computeIfAbsent(h, k -> new AtomicInteger()).incrementAndGet());
                } catch (Exception e) {
                  refused.incrementAndGet(); // refused: the core answers 503
                }
              }
              if (refused.get() == before) {
                cleanPasses.incrementAndGet();
              }
            }
          } finally {
            racers.countDown();
          }
        });
        t.start();
      }
      // the replica takes over, without waiting for its master to agree (as after a crash)
      String ok = c.getConnection(replica.getNodeId()).sync().clusterFailover(true);
      assertThat(ok).isEqualTo("OK");
      Await.until(Duration.ofSeconds(30), "the replica to be the master", () -> {
        c.getPartitions().updateCache();
        admin.refreshPartitions();
        RedisClusterNode n = admin.getPartitions().getPartitionByNodeId(replica.getNodeId());
        return n != null && n.is(RedisClusterNode.NodeFlag.UPSTREAM);
      });
      int passes = cleanPasses.get();
      Await.until(Duration.ofSeconds(30), "takes to succeed again, without a restart",
          () -> cleanPasses.get() >= passes + 2);
      moving.set(false);
      assertThat(racers.await(30, TimeUnit.SECONDS)).isTrue();
      for (String h : hashes) {
        assertThat(taken.getOrDefault(h, new AtomicInteger()).get()).as("ticket %s taken", h).isLessThanOrEqualTo(1);
      }
      // a ticket no node got was consumed by a take that was refused (its replica never acknowledged it):
      // refused, never allowed; each refusal accounts for one at most
      long lost = hashes.stream().filter(h -> !taken.containsKey(h)).count();
      assertThat(lost).as("tickets neither taken nor refused").isLessThanOrEqualTo(refused.get());
      assertThat(taken).as("the nodes serve through the failover").isNotEmpty();
      // service resumes: on each node, a fresh ticket on the moved slots is issued and taken once (takes may
      // still be refused for a moment, and a refused take may have consumed its ticket: a new one each try)
      AtomicInteger next = new AtomicInteger();
      for (SseAuthStore node : new SseAuthStore[] {a, b}) {
        Await.until(Duration.ofSeconds(30), "a fresh ticket on the moved slots to be taken", () -> {
          String fresh;
          do {
            fresh = "f" + next.incrementAndGet();
          } while (!master.hasSlot(SlotHash.getSlot(prefix + "t:" + fresh)));
          Instant later = Instant.now();
          try {
            TicketGrant g = new TicketGrant("s-" + fresh, Map.of(), later, later.plus(Duration.ofMinutes(5)), null);
            if (!node.putTicket(fresh, g, 16).toCompletableFuture().get(10, TimeUnit.SECONDS)
                || node.takeTicket(fresh).toCompletableFuture().get(10, TimeUnit.SECONDS).isEmpty()) {
              return false;
            }
          } catch (Exception e) {
            return false; // refused
          }
          Optional<TicketGrant> again;
          try {
            again = a.takeTicket(fresh).toCompletableFuture().get(10, TimeUnit.SECONDS);
          } catch (Exception e) {
            return true; // refused: not taken twice either
          }
          assertThat(again).as("taken once").isEmpty();
          return true;
        });
      }
      // the old master rejoins as the new master's replica and resynchronises; until it is in step, the slots
      // refuse takes (documented in the README). Once it is, the service is whole again: no take is refused
      Await.until(Duration.ofSeconds(60), "the old master to be an in-step replica of the new one", () -> {
        admin.refreshPartitions();
        RedisClusterNode old = admin.getPartitions().getPartitionByNodeId(master.getNodeId());
        return old != null && replica.getNodeId().equals(old.getSlaveOf())
            && c.getConnection(replica.getNodeId()).sync().waitForReplication(1, 1000) >= 1;
      });
      for (SseAuthStore node : new SseAuthStore[] {a, b}) {
        String fresh;
        do {
          fresh = "g" + next.incrementAndGet();
        } while (!master.hasSlot(SlotHash.getSlot(prefix + "t:" + fresh)));
        Instant later = Instant.now();
        TicketGrant g = new TicketGrant("s-" + fresh, Map.of(), later, later.plus(Duration.ofMinutes(5)), null);
        assertThat(node.putTicket(fresh, g, 16).toCompletableFuture().get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(node.takeTicket(fresh).toCompletableFuture().get(10, TimeUnit.SECONDS)).isPresent();
        assertThat(a.takeTicket(fresh).toCompletableFuture().get(10, TimeUnit.SECONDS)).as("taken once").isEmpty();
      }
      for (String h : hashes) { // and none can be taken again
        assertThat(a.takeTicket(h).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEmpty();
      }
    } finally {
      admin.shutdown();
    }
  }

  @Test
  void takeAndRevokeWhenTheSlotsReplicaCannotAcknowledgeThenRefusedAndTheTicketNeverRedeemsAfter() throws Exception {
    a = RedisStore.builder().uri(TestRedisCluster.URI).keyPrefix(prefix).timeout(Duration.ofSeconds(1)).build();
    RedisClusterClient admin = TestRedisCluster.client();
    try (StatefulRedisClusterConnection<String, String> c = admin.connect()) {
      RedisClusterNode[] pair = masterAndReplica(admin);
      RedisClusterNode master = pair[0];
      RedisClusterNode replica = pair[1];
      String h = null;
      for (int i = 0; h == null; i++) {
        if (master.hasSlot(SlotHash.getSlot(prefix + "t:" + "w" + i))) {
          h = "w" + i;
        }
      }
      String subject = null;
      for (int i = 0; subject == null; i++) {
        if (master.hasSlot(SlotHash.getSlot(prefix + "ru:" + "u" + i))) {
          subject = "u" + i;
        }
      }
      Instant now = Instant.now();
      assertThat(a.putTicket(h, new TicketGrant("s", Map.of(), now, now.plus(Duration.ofMinutes(5)), null), 16)
          .toCompletableFuture().get(5, TimeUnit.SECONDS)).isTrue();
      String pid = c.getConnection(replica.getNodeId()).sync().info("server").lines()
          .filter(l -> l.startsWith("process_id:")).findFirst().orElseThrow().substring("process_id:".length()).trim();
      signal("STOP", pid); // the replica stops acknowledging (a stalled or partitioned replica)
      try {
        String ticket = h;
        assertThatThrownBy(() -> a.takeTicket(ticket).toCompletableFuture().get(5, TimeUnit.SECONDS))
            .as("a take no replica has acknowledged is refused");
        String who = subject;
        assertThatThrownBy(() -> a.revoke(new Revocation(Revocation.Kind.SUBJECT, who, now, now.plus(Duration.ofHours(1))))
            .toCompletableFuture().get(5, TimeUnit.SECONDS)).as("so is a revocation");
      } finally {
        signal("CONT", pid);
      }
      // the refused take still consumed the ticket on the master: it never redeems, here or after a failover
      assertThat(a.takeTicket(h).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEmpty();
    } finally {
      admin.shutdown();
    }
  }

  /**
   * A master with slots and a replica that replicates it, once the topology has settled (after an earlier
   * failover the old master rejoins as a replica a moment later).
   */
  private static RedisClusterNode[] masterAndReplica(RedisClusterClient admin) {
    RedisClusterNode[] found = new RedisClusterNode[2];
    Await.until(Duration.ofSeconds(30), "a master with a replica", () -> {
      admin.refreshPartitions();
      for (RedisClusterNode m : admin.getPartitions()) {
        if (!m.is(RedisClusterNode.NodeFlag.UPSTREAM) || m.getSlots().isEmpty() || m.is(RedisClusterNode.NodeFlag.FAIL)) {
          continue;
        }
        for (RedisClusterNode r : admin.getPartitions()) {
          if (m.getNodeId().equals(r.getSlaveOf()) && !r.is(RedisClusterNode.NodeFlag.FAIL)) {
            found[0] = m;
            found[1] = r;
            return true;
          }
        }
      }
      return false;
    });
    return found;
  }

  private static void signal(String signal, String pid) throws Exception {
    Process p = new ProcessBuilder("kill", "-" + signal, pid).inheritIO().start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0).as("kill -%s %s", signal, pid).isTrue();
  }
}
