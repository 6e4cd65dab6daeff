package io.antiscraping.testing;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * An in-JVM metrics endpoint for tests: a simpleclient {@link HTTPServer} on a free loopback port serving its own
 * {@link CollectorRegistry} at {@code /metrics}. The test registers counters and gauges and drives them; a
 * {@link PrometheusServer} scrapes {@link #target()}.
 *
 * <pre>{@code
 * try (TestExporter exporter = TestExporter.start()) {
 *   Counter requests = exporter.counter("storefront_http_requests_total", "Requests.", "client", "route");
 *   requests.labels("203.0.113.7", "/api/users/{id}").inc(500);
 * }
 * }</pre>
 *
 * <p>simpleclient exposes a counter named {@code x} or {@code x_total} as {@code x_total}.
 */
public final class TestExporter implements AutoCloseable {

  private final CollectorRegistry registry = new CollectorRegistry();
  private final HTTPServer server;

  private TestExporter() {
    try {
      server = new HTTPServer.Builder()
          .withInetSocketAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
          .withRegistry(registry)
          .withDaemonThreads(true)
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the test exporter", e);
    }
  }

  /** Starts an exporter on a free {@code 127.0.0.1} port. */
  public static TestExporter start() {
    return new TestExporter();
  }

  /** The registry served at {@code /metrics}. */
  public CollectorRegistry registry() {
    return registry;
  }

  /** Registers a counter in this exporter's registry. */
  public Counter counter(String name, String help, String... labelNames) {
    return Counter.build().name(name).help(help).labelNames(labelNames).register(registry);
  }

  /** Registers a gauge in this exporter's registry. */
  public Gauge gauge(String name, String help, String... labelNames) {
    return Gauge.build().name(name).help(help).labelNames(labelNames).register(registry);
  }

  public int port() {
    return server.getPort();
  }

  /** {@code 127.0.0.1:<port>}, as a Prometheus scrape target. */
  public String target() {
    return "127.0.0.1:" + port();
  }

  /** {@code http://127.0.0.1:<port>/metrics}. */
  public String metricsUrl() {
    return "http://" + target() + "/metrics";
  }

  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "TestExporter[" + target() + "]";
  }
}
