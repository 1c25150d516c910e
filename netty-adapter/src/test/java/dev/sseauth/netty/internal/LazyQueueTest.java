package dev.sseauth.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LazyQueueTest {
  @Test
  void addPollPeekWhenAnyInterleavingThenSameOrderAsArrayDeque() {
    Random random = new Random(7);
    LazyQueue<Integer> q = new LazyQueue<>();
    ArrayDeque<Integer> expected = new ArrayDeque<>();
    for (int i = 0; i < 10_000; i++) {
      switch (random.nextInt(5)) {
        case 0, 1 -> {
          q.add(i);
          expected.add(i);
        }
        case 2 -> assertThat(q.poll()).isEqualTo(expected.poll());
        case 3 -> assertThat(q.peek()).isEqualTo(expected.peek());
        default -> {
          if (random.nextInt(50) == 0) {
            q.clear();
            expected.clear();
          }
        }
      }
      assertThat(q.isEmpty()).isEqualTo(expected.isEmpty());
    }
  }

  @Test
  void pollWhenEmptyThenNull() {
    LazyQueue<String> q = new LazyQueue<>();
    assertThat(q.poll()).isNull();
    assertThat(q.peek()).isNull();
    q.add("a");
    q.add("b");
    assertThat(q.poll()).isEqualTo("a");
    assertThat(q.poll()).isEqualTo("b");
    assertThat(q.poll()).isNull();
    assertThat(q.isEmpty()).isTrue();
  }
}
