package dev.sseauth.netty;

import dev.sseauth.testing.fixtures.AuthFixture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sseauth.netty.testing.NettyGuards;
import dev.sseauth.testing.fixtures.NettyEventApp;
import dev.sseauth.testing.fixtures.NettyGuard;
import dev.sseauth.testing.fixtures.NettyServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One server (two event-loop threads) holds and serves 1,000 authenticated streams at once. */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConcurrentStreamsTest {
  private static final int STREAMS = 1_000;

  /** Reads one stream's lines as they arrive, without a thread per stream. */
  private static final class Stream implements Flow.Subscriber<String> {
    final CountDownLatch opened;
    final CountDownLatch broadcastSeen;
    final List<String> problems = new ArrayList<>();
    volatile String token;
    volatile int status;
    private String lastId;
    private int appEvents;
    private Flow.Subscription subscription;

    Stream(CountDownLatch opened, CountDownLatch broadcastSeen) {
      this.opened = opened;
      this.broadcastSeen = broadcastSeen;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      if (line.startsWith("id: ")) {
        lastId = line.substring(4);
        if (token == null) {
          token = lastId.substring(0, lastId.length() - 1);
          if (!lastId.endsWith("_")) {
            problems.add("handshake id " + lastId);
          }
        }
      } else if (line.startsWith("data: e")) {
        appEvents++;
        String want = token + "_" + appEvents;
        if (!want.equals(lastId)) {
          problems.add("event " + line + " had id " + lastId);
        }
        if (appEvents == 2) {
          opened.countDown();
        }
      } else if (line.equals("data: all")) {
        if (!(token + "_100").equals(lastId)) {
          problems.add("broadcast had id " + lastId);
        }
        broadcastSeen.countDown();
      }
    }

    @Override
    public void onError(Throwable t) {
      problems.add("error " + t);
    }

    @Override
    public void onComplete() {}

    void cancel() {
      subscription.cancel();
    }
  }

  @Test
  void streamsWhenThousandConcurrentThenEachHeldAndServedWithItsOwnToken() throws Exception {
    ExecutorService clientThreads = Executors.newFixedThreadPool(4);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientThreads).build();
    try (AuthFixture fx = new AuthFixture()) {
      NettyGuard guard = NettyGuards.sseAuth(fx.auth);
      NettyEventApp app = new NettyEventApp(guard);
      try (NettyServer server = new NettyServer(guard, app::handler, 2)) {
        CountDownLatch opened = new CountDownLatch(STREAMS);
        CountDownLatch broadcastSeen = new CountDownLatch(STREAMS);
        List<Stream> streams = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
          Stream s = new Stream(opened, broadcastSeen);
          streams.add(s);
          String ticket = fx.ticket("user-" + i);
          http.sendAsync(HttpRequest.newBuilder(server.uri("/events?slt=" + ticket)).build(), info -> {
            s.status = info.statusCode();
            return HttpResponse.BodySubscribers.fromLineSubscriber(s);
          }); // completes only when the stream ends: never awaited
        }
        assertThat(opened.await(60, TimeUnit.SECONDS)).as("every stream opened and got its first events").isTrue();
        assertThat(fx.auth.liveStreams()).isEqualTo(STREAMS);
        assertThat(app.streams).hasSize(STREAMS);

        app.broadcast("id: 100\ndata: all\n\n");
        assertThat(broadcastSeen.await(60, TimeUnit.SECONDS)).as("every stream got the broadcast").isTrue();

        Set<String> tokens = new HashSet<>();
        for (Stream s : streams) {
          assertThat(s.status).isEqualTo(200);
          assertThat(s.problems).isEmpty();
          tokens.add(s.token);
        }
        assertThat(tokens).as("each stream has its own session token").hasSize(STREAMS);
        streams.forEach(Stream::cancel);
      }
    } finally {
      clientThreads.shutdownNow();
    }
  }
}
