package dev.sseauth.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of a real server, with switches: {@link #down()} drops every
 * connection and closes new ones at once; {@link #stall()} holds every byte; {@link #up()} forwards
 * again; {@link #halfOpen(int)} makes one connection half-open. Lets a test cut a store off without
 * stopping the machine's shared server.
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private volatile boolean down;
  private volatile boolean stalled;
  private volatile boolean closed;

  /** One proxied connection: the client's socket and the proxy's socket to the server. */
  private static final class Link {
    final Socket client;
    final Socket upstream;
    volatile boolean halfOpen;

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }
  }

  public TcpProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptLoop, "tcp-proxy-accept");
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /**
   * How many connections the proxy has forwarded so far, in the order they were accepted (a client
   * that connects, then connects again, counts twice); the ones {@link #down()} refused do not count.
   */
  public int accepted() {
    return links.size();
  }

  public void down() {
    down = true;
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }

  /**
   * Holds every byte in both directions without closing anything, as a link whose packets stop
   * arriving does; {@link #up()} lets them through again.
   */
  public void stall() {
    stalled = true;
  }

  /** Accepts connections and forwards bytes again. */
  public void up() {
    down = false;
    synchronized (this) {
      stalled = false;
      notifyAll();
    }
  }

  /**
   * Makes connection number {@code index} ({@code 0} is the first {@link #accepted() accepted})
   * half-open, for good: closes its server side, so the server forgets the client, while the client's
   * socket stays open and hears nothing, not even a FIN; whatever it sends is dropped. This is what a
   * client sees when a failover, a lost NAT or firewall mapping or a server-side kill whose FIN is lost
   * takes its connection away: only writing and waiting for an answer can tell.
   *
   * @throws IndexOutOfBoundsException if fewer connections were accepted
   */
  public void halfOpen(int index) {
    Link l = links.get(index);
    l.halfOpen = true;
    closeQuietly(l.upstream);
  }

  private synchronized void awaitFlowing() throws InterruptedException {
    while (stalled && !closed) {
      wait();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      if (down) {
        closeQuietly(client);
        continue;
      }
      try {
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        Link link = new Link(client, upstream);
        links.add(link);
        open.add(client);
        open.add(upstream);
        pump(link, client, upstream);
        pump(link, upstream, client);
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  private void pump(Link link, Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16384];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (link.halfOpen) {
            continue; // nobody hears it
          }
          awaitFlowing();
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // connection dropped
      } finally {
        // a half-open link keeps the client's socket open until the client (or down, or close) ends it
        if (!link.halfOpen || from == link.client) {
          closeQuietly(from);
          closeQuietly(to);
          open.remove(from);
          open.remove(to);
        }
      }
    }, "tcp-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    synchronized (this) {
      notifyAll();
    }
    server.close();
    down();
  }
}
