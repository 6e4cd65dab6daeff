package io.antiscraping.operator.apiserver;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A fault-injecting proxy between a Kubernetes client and a real API server: plain HTTP/1.1 on loopback in front,
 * TLS with the admin's client certificate behind. While faults are on, each request draws one of:
 * <ul>
 *   <li>a refused request: {@code 500 InternalError} without forwarding it;</li>
 *   <li>a conflict (updates and patches other than server-side applies: the writes that can meet a stale
 *   object): {@code 409 Conflict} without forwarding it;</li>
 *   <li>a lost answer (writes only): the request is forwarded and carried out, the client gets {@code 500};</li>
 *   <li>a stall: nothing is forwarded, the connection is held past the client's request timeout, then closed;</li>
 * </ul>
 * (each kind that is on at the first request it applies to, then at its rate), and every open watch is cut at a
 * fixed period ({@link #dropWatches()} on demand). Each connection carries one
 * request ({@code Connection: close}); watches, over HTTP streaming or a WebSocket, are piped both ways until one
 * side closes.
 */
public final class FaultProxy implements AutoCloseable {

  /** Fault rates, each a probability per request, and the period at which watches are cut (0: never). */
  public record Faults(double refuse, double conflict, double lose, double stall, long stallMillis,
                       long dropWatchesEveryMillis) {
    public static final Faults NONE = new Faults(0, 0, 0, 0, 0, 0);
  }

  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
      "trailer", "transfer-encoding", "upgrade", "http2-settings", "host", "content-length");

  private final URI upstream;
  private final SSLContext tls;
  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fault-proxy");
    t.setDaemon(true);
    return t;
  });
  private final Set<Socket> watches = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> injected = new ConcurrentHashMap<>();
  private final AtomicInteger forwarded = new AtomicInteger();
  private final Random random = new Random(20261202L);
  private volatile Faults faults = Faults.NONE;
  private volatile long lastDrop = System.nanoTime();
  private volatile boolean closed;

  private FaultProxy(Config upstreamConfig) throws Exception {
    upstream = URI.create(upstreamConfig.getMasterUrl());
    tls = SSLContext.getInstance("TLS");
    tls.init(SSLUtils.keyManagers(upstreamConfig), SSLUtils.trustManagers(upstreamConfig), null);
    server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
    threads.execute(this::dropper);
  }

  /** A proxy in front of the API server that {@code upstreamConfig} (an admin's, with a client certificate) reaches. */
  public static FaultProxy start(Config upstreamConfig) {
    try {
      return new FaultProxy(upstreamConfig);
    } catch (Exception e) {
      throw new IllegalStateException("could not start the fault proxy: " + e, e);
    }
  }

  /** A client configuration that goes through this proxy (no credentials of its own: the proxy has them). */
  public Config clientConfig() {
    return new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + server.getLocalPort())
        .withNamespace("default").withHttp2Disable(true).build();
  }

  public void faults(Faults faults) {
    this.faults = faults;
  }

  /** How many faults of each kind were injected so far, and how many requests went through untouched. */
  public Map<String, Integer> counts() {
    Map<String, Integer> out = new LinkedHashMap<>();
    injected.forEach((k, v) -> out.put(k, v.get()));
    out.put("forwarded", forwarded.get());
    return out;
  }

  /** Cuts every open watch connection. */
  public void dropWatches() {
    for (Socket s : List.copyOf(watches)) {
      closeQuietly(s);
      count("watch-dropped");
    }
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    dropWatches();
    threads.shutdownNow();
  }

  // ---------------------------------------------------------------------------------------------------------------

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        threads.execute(() -> handle(client));
      } catch (IOException e) {
        if (!closed) {
          count("accept-error");
        }
      }
    }
  }

  private void dropper() {
    while (!closed) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
      long every = faults.dropWatchesEveryMillis();
      if (every > 0 && System.nanoTime() - lastDrop >= every * 1_000_000L) {
        lastDrop = System.nanoTime();
        dropWatches();
      }
    }
  }

  private void handle(Socket client) {
    try (client) {
      InputStream in = new BufferedInputStream(client.getInputStream());
      Request request = Request.read(in);
      if (request == null) {
        return;
      }
      boolean write = WRITES.contains(request.method);
      boolean watch = request.websocket() || request.target.contains("watch=true")
          || request.target.contains("watch=1");
      // Injected conflicts go to the writes that can meet a stale-object conflict: updates and patches. A
      // server-side apply sends no resourceVersion (its 409 names a field another manager holds), and a create's
      // 409 means the object exists.
      boolean apply = String.valueOf(request.header("content-type")).startsWith("application/apply-patch");
      boolean canConflict = ("PUT".equals(request.method) || "PATCH".equals(request.method)) && !apply;
      String fault = watch ? "none" : draw(write, canConflict);
      switch (fault) {
        case "refuse" -> respond(client.getOutputStream(), 500, "InternalError", "injected: refused");
        case "conflict" -> respond(client.getOutputStream(), 409, "Conflict",
            "Operation cannot be fulfilled: injected conflict, the object has been modified");
        case "stall" -> Thread.sleep(faults.stallMillis());
        default -> forward(client, in, request, watch, "lose".equals(fault));
      }
    } catch (IOException e) {
      // a dropped or timed-out connection: the client sees it as such
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized String draw(boolean write, boolean canConflict) {
    String fault = pick(write, canConflict);
    if (!"none".equals(fault)) {
      count(fault);
    }
    return fault;
  }

  private String pick(boolean write, boolean canConflict) {
    Faults f = faults;
    // Every kind that is switched on is injected at the first request it applies to, then at its rate.
    if (f.lose() > 0 && write && !injected.containsKey("lose")) {
      return "lose";
    }
    if (f.conflict() > 0 && canConflict && !injected.containsKey("conflict")) {
      return "conflict";
    }
    if (f.refuse() > 0 && !injected.containsKey("refuse")) {
      return "refuse";
    }
    if (f.stall() > 0 && !injected.containsKey("stall")) {
      return "stall";
    }
    double r = random.nextDouble();
    if ((r -= f.refuse()) < 0) {
      return "refuse";
    }
    if (canConflict && (r -= f.conflict()) < 0) {
      return "conflict";
    }
    if (write && (r -= f.lose()) < 0) {
      return "lose";
    }
    if ((r -= f.stall()) < 0) {
      return "stall";
    }
    return "none";
  }

  private void forward(Socket client, InputStream in, Request request, boolean watch, boolean lose)
      throws IOException {
    int port = upstream.getPort() > 0 ? upstream.getPort() : 443;
    try (SSLSocket up = (SSLSocket) tls.getSocketFactory().createSocket()) {
      up.connect(new InetSocketAddress(upstream.getHost(), port), 5000);
      up.startHandshake();
      OutputStream upOut = up.getOutputStream();
      upOut.write(request.head(upstream.getHost() + ":" + port));
      upOut.write(request.body);
      upOut.flush();
      forwarded.incrementAndGet();
      if (lose) {
        up.getInputStream().readAllBytes();
        respond(client.getOutputStream(), 500, "InternalError", "injected: the request was carried out, its answer lost");
        return;
      }
      if (watch) {
        watches.add(client);
        watches.add(up);
      }
      try {
        if (request.websocket()) {
          threads.execute(() -> pipe(in, upOut, up, client));
        }
        pipe(up.getInputStream(), client.getOutputStream(), client, up);
      } finally {
        watches.remove(client);
        watches.remove(up);
      }
    }
  }

  private static void pipe(InputStream from, OutputStream to, Socket... closeAfter) {
    byte[] buffer = new byte[16384];
    try {
      for (int n; (n = from.read(buffer)) >= 0; ) {
        to.write(buffer, 0, n);
        to.flush();
      }
    } catch (IOException e) {
      // either side went away
    } finally {
      for (Socket s : closeAfter) {
        closeQuietly(s);
      }
    }
  }

  private static void respond(OutputStream out, int code, String reason, String message) throws IOException {
    byte[] body = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\""
        + message + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}").getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 " + code + " " + reason + "\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length + "\r\nConnection: close\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
  }

  private void count(String kind) {
    injected.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** One HTTP/1.1 request as read from the client: its head parsed, its body de-chunked. */
  private record Request(String method, String target, List<String[]> headers, byte[] body) {

    static Request read(InputStream in) throws IOException {
      String line = readLine(in);
      if (line == null || line.isEmpty()) {
        return null;
      }
      String[] first = line.split(" ", 3);
      List<String[]> headers = new ArrayList<>();
      for (String h; (h = readLine(in)) != null && !h.isEmpty(); ) {
        int colon = h.indexOf(':');
        headers.add(new String[] {h.substring(0, colon).trim(), h.substring(colon + 1).trim()});
      }
      Request head = new Request(first[0], first[1], headers, new byte[0]);
      byte[] body;
      if ("chunked".equalsIgnoreCase(head.header("transfer-encoding"))) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int size; (size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16)) > 0; ) {
          b.write(in.readNBytes(size));
          readLine(in);
        }
        for (String t; (t = readLine(in)) != null && !t.isEmpty(); ) {
          // trailers: none expected
        }
        body = b.toByteArray();
      } else {
        String length = head.header("content-length");
        body = length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
      }
      return new Request(first[0], first[1], headers, body);
    }

    String header(String name) {
      return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst().orElse(null);
    }

    boolean websocket() {
      return "websocket".equalsIgnoreCase(header("upgrade"));
    }

    byte[] head(String host) {
      StringBuilder b = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
      b.append("Host: ").append(host).append("\r\n");
      for (String[] h : headers) {
        String name = h[0].toLowerCase(Locale.ROOT);
        if (!HOP_BY_HOP.contains(name) || websocket() && (name.equals("upgrade") || name.equals("connection"))) {
          b.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
      }
      if (!websocket()) {
        b.append("Connection: close\r\n");
        if (body.length > 0 || WRITES.contains(method)) {
          b.append("Content-Length: ").append(body.length).append("\r\n");
        }
      }
      return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int c; (c = in.read()) >= 0; ) {
        if (c == '\n') {
          byte[] bytes = line.toByteArray();
          int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
          return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
        }
        line.write(c);
      }
      return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
