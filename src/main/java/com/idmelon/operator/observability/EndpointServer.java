package com.idmelon.operator.observability;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server for the probe and metrics endpoints that a slow or idle client cannot starve.
 *
 * <p>One thread selects over every connection; nothing blocks on a client. A request head must arrive whole within
 * {@link Limits#readTimeout} and fit in {@link Limits#maxHeadBytes}; the answer must be taken within
 * {@link Limits#writeTimeout}; every answer closes its connection. At most {@link Limits#maxConnections} are open:
 * a new one evicts the oldest connection still waiting for its request, so a flood of idle connections delays a
 * kubelet's probe by one select round, never by a timeout. Only GET and HEAD are served; handlers must be quick and
 * non-blocking (they read in-memory state).
 */
public final class EndpointServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EndpointServer.class);

  /** The bounds of one connection. */
  public record Limits(Duration readTimeout, Duration writeTimeout, int maxHeadBytes, int maxConnections) {
    public static final Limits DEFAULT = new Limits(Duration.ofSeconds(5), Duration.ofSeconds(10), 8 * 1024, 256);
  }

  /** A parsed request: its path (without query) and headers (lower-case names). */
  public record Request(String method, String path, Map<String, String> headers) {
    public Optional<String> header(String name) {
      return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }
  }

  /** An answer: status, content type, body. */
  public record Response(int status, String contentType, String body) {
    static Response text(int status, String body) {
      return new Response(status, "text/plain; charset=utf-8", body);
    }
  }

  /** What the server observed about its clients, for metrics. */
  public interface Listener {
    void dropped(String reason);

    Listener NONE = reason -> { };
  }

  private final String name;
  private final Map<String, Function<Request, Response>> routes;
  private final Limits limits;
  private final Listener listener;
  private final Selector selector;
  private final ServerSocketChannel channel;
  private final Thread thread;
  /** Connections in the order they were accepted: the head of the queue is the oldest. */
  private final ArrayDeque<Connection> connections = new ArrayDeque<>();
  private volatile boolean running = true;

  public EndpointServer(String name, int port, Map<String, Function<Request, Response>> routes, Limits limits,
      Listener listener) throws IOException {
    this.name = name;
    this.routes = Map.copyOf(routes);
    this.limits = limits;
    this.listener = listener;
    selector = Selector.open();
    channel = ServerSocketChannel.open();
    try {
      channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      channel.bind(new InetSocketAddress(port), 128);
      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_ACCEPT);
    } catch (IOException e) {
      channel.close();
      selector.close();
      throw e;
    }
    thread = new Thread(this::loop, name + "-endpoints");
    thread.setDaemon(true);
    thread.start();
  }

  public int port() {
    return channel.socket().getLocalPort();
  }

  /** Connections open right now (for tests and diagnostics). */
  public int openConnections() {
    synchronized (connections) {
      return connections.size();
    }
  }

  private void loop() {
    while (running) {
      try {
        selector.select(this::ready, nextDeadlineMillis());
        expire(System.nanoTime());
      } catch (IOException | RuntimeException e) {
        if (running) {
          log.warn("{} endpoints: {}", name, e.toString());
        }
      }
    }
  }

  private long nextDeadlineMillis() {
    long now = System.nanoTime();
    long next = Long.MAX_VALUE;
    synchronized (connections) {
      for (Connection c : connections) {
        next = Math.min(next, c.deadline);
      }
    }
    if (next == Long.MAX_VALUE) {
      return 1000;
    }
    return Math.max(1, Math.min(1000, (next - now) / 1_000_000 + 1));
  }

  private void ready(SelectionKey key) {
    try {
      if (!key.isValid()) {
        return;
      }
      if (key.isAcceptable()) {
        accept();
      } else if (key.isReadable()) {
        ((Connection) key.attachment()).read();
      } else if (key.isWritable()) {
        ((Connection) key.attachment()).write();
      }
    } catch (IOException | RuntimeException e) {
      if (key.attachment() instanceof Connection connection) {
        connection.close();
      }
    }
  }

  private void accept() throws IOException {
    SocketChannel client;
    while ((client = channel.accept()) != null) {
      client.configureBlocking(false);
      Connection connection = new Connection(client);
      synchronized (connections) {
        if (connections.size() >= limits.maxConnections()) {
          evictOldestWaiting();
        }
        connections.addLast(connection);
      }
      connection.key = client.register(selector, SelectionKey.OP_READ, connection);
    }
  }

  /**
   * Closes an answered connection if any, else the oldest that has not sent its request yet (else the oldest).
   */
  private void evictOldestWaiting() {
    Connection victim = null;
    for (Connection c : connections) {
      if (c.draining) {
        victim = c; // answered already: nothing is lost
        break;
      }
      if (victim == null && c.response == null) {
        victim = c;
      }
    }
    if (victim == null) {
      victim = connections.peekFirst();
    }
    if (victim != null) {
      if (!victim.draining) {
        listener.dropped("overflow");
      }
      victim.close();
    }
  }

  private void expire(long now) {
    Connection[] snapshot;
    synchronized (connections) {
      snapshot = connections.toArray(new Connection[0]);
    }
    for (Connection c : snapshot) {
      if (now - c.deadline >= 0) {
        if (!c.draining) {
          listener.dropped(c.response == null ? "read-timeout" : "write-timeout");
        }
        c.close();
      }
    }
  }

  private final class Connection {
    private final SocketChannel socket;
    private SelectionKey key;
    private ByteBuffer head = ByteBuffer.allocate(512);
    private ByteBuffer response;
    private long deadline;
    /** Answered and half-closed: reading what the client still sends, so that closing does not reset the answer. */
    private boolean draining;
    private int drained;

    Connection(SocketChannel socket) {
      this.socket = socket;
      this.deadline = System.nanoTime() + limits.readTimeout().toNanos();
    }

    void read() throws IOException {
      if (draining) {
        ByteBuffer scratch = ByteBuffer.allocate(4096);
        int read = socket.read(scratch);
        drained += Math.max(0, read);
        if (read < 0 || drained > 64 * 1024) {
          close();
        }
        return;
      }
      if (!head.hasRemaining()) {
        if (head.capacity() >= limits.maxHeadBytes()) {
          answer(new Request("GET", "", Map.of()), Response.text(431, "request header too large\n"));
          return;
        }
        ByteBuffer larger = ByteBuffer.allocate(Math.min(limits.maxHeadBytes(), head.capacity() * 2));
        head.flip();
        larger.put(head);
        head = larger;
      }
      int read = socket.read(head);
      if (read < 0) {
        close();
        return;
      }
      int end = endOfHead(head);
      if (end < 0) {
        if (!head.hasRemaining() && head.capacity() >= limits.maxHeadBytes()) {
          answer(new Request("GET", "", Map.of()), Response.text(431, "request header too large\n"));
        }
        return;
      }
      String text = new String(head.array(), 0, end, StandardCharsets.ISO_8859_1);
      Request request = parse(text);
      if (request == null) {
        answer(new Request("GET", "", Map.of()), Response.text(400, "bad request\n"));
      } else if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
        answer(request, Response.text(405, "only GET and HEAD\n"));
      } else {
        Function<Request, Response> route = routes.get(request.path());
        Response answer;
        try {
          answer = route == null ? Response.text(404, "not found\n") : route.apply(request);
        } catch (RuntimeException e) {
          // the path is a client's: one bounded line in the log (only known routes get here, but stay safe)
          log.warn("{} endpoint {} failed: {}", name,
              com.idmelon.operator.crd.v1alpha1.Conditions.boundedMessage(request.path()), e.toString());
          answer = Response.text(500, "internal error\n");
        }
        answer(request, answer);
      }
    }

    private void answer(Request request, Response answer) throws IOException {
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      String headers = "HTTP/1.1 " + answer.status() + " " + reason(answer.status()) + "\r\n"
          + "Content-Type: " + answer.contentType() + "\r\n"
          + "Content-Length: " + body.length + "\r\n"
          + (answer.status() == 401 ? "WWW-Authenticate: Bearer\r\n" : "")
          + "Cache-Control: no-store\r\n"
          + "Connection: close\r\n\r\n";
      byte[] start = headers.getBytes(StandardCharsets.ISO_8859_1);
      boolean withBody = !request.method().equals("HEAD");
      response = ByteBuffer.allocate(start.length + (withBody ? body.length : 0));
      response.put(start);
      if (withBody) {
        response.put(body);
      }
      response.flip();
      head = null;
      deadline = System.nanoTime() + limits.writeTimeout().toNanos();
      key.interestOps(SelectionKey.OP_WRITE);
      write();
    }

    void write() throws IOException {
      socket.write(response);
      if (!response.hasRemaining()) {
        socket.shutdownOutput();
        draining = true;
        deadline = System.nanoTime() + Math.min(limits.readTimeout().toNanos(), 1_000_000_000L);
        key.interestOps(SelectionKey.OP_READ);
      }
    }

    void close() {
      synchronized (connections) {
        connections.remove(this);
      }
      if (key != null) {
        key.cancel();
      }
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing: nothing left to do
      }
    }
  }

  /** The index just past the blank line ending the head, or -1. */
  private static int endOfHead(ByteBuffer buffer) {
    byte[] bytes = buffer.array();
    int length = buffer.position();
    for (int i = 3; i < length; i++) {
      if (bytes[i] == '\n' && bytes[i - 1] == '\r' && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') {
        return i + 1;
      }
      if (bytes[i] == '\n' && bytes[i - 1] == '\n') {
        return i + 1; // a bare-LF client
      }
    }
    return -1;
  }

  static Request parse(String head) {
    String[] lines = head.split("\r?\n");
    String[] requestLine = lines[0].split(" ");
    if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.") || !requestLine[1].startsWith("/")) {
      return null;
    }
    String target = requestLine[1];
    int query = target.indexOf('?');
    String path = query < 0 ? target : target.substring(0, query);
    Map<String, String> headers = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
    }
    return new Request(requestLine[0], path, headers);
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      default -> "Status";
    };
  }

  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (connections) {
      for (Connection c : connections.toArray(new Connection[0])) {
        c.close();
      }
    }
    try {
      channel.close();
      selector.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
