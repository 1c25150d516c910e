package dev.sseauth.netty.internal;

import java.util.ArrayDeque;

/**
 * A first-in first-out queue for the per-channel state: it keeps its head in a field and allocates an
 * array only while a second element waits (pipelined requests, messages read while a judgement is
 * pending), and lets it go once drained. A channel that holds a stream open keeps no array. Elements
 * are never null. Not thread-safe: event-loop confined.
 */
final class LazyQueue<T> {
  private T head;
  /** The elements after the head, in order; null when there are none. */
  private ArrayDeque<T> rest;

  /** Adds {@code element} at the tail; never null. */
  void add(T element) {
    if (head == null) {
      head = element;
    } else {
      if (rest == null) {
        rest = new ArrayDeque<>(4);
      }
      rest.add(element);
    }
  }

  /** The head, or null if empty. */
  T peek() {
    return head;
  }

  /** Removes and returns the head, or null if empty. */
  T poll() {
    T h = head;
    if (h != null) {
      if (rest == null) {
        head = null;
      } else {
        head = rest.poll();
        if (rest.isEmpty()) {
          rest = null;
        }
      }
    }
    return h;
  }

  boolean isEmpty() {
    return head == null;
  }

  void clear() {
    head = null;
    rest = null;
  }
}
