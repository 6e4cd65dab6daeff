package io.antiscraping.operator.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/** One port for {@code /metrics}, {@code /healthz} (liveness) and {@code /readyz} (readiness). */
public final class HealthServer implements AutoCloseable {

  private final HTTPServer server;

  public HealthServer(int port, CollectorRegistry registry, BooleanSupplier live, BooleanSupplier ready)
      throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(port), 16);
    http.createContext("/healthz", ex -> answer(ex, live.getAsBoolean()));
    http.createContext("/readyz", ex -> answer(ex, ready.getAsBoolean()));
    this.server = new HTTPServer.Builder().withHttpServer(http).withRegistry(registry).withDaemonThreads(true).build();
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }

  private static void answer(HttpExchange ex, boolean ok) throws IOException {
    byte[] body = (ok ? "ok\n" : "not ok\n").getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(ok ? 200 : 503, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }
}
