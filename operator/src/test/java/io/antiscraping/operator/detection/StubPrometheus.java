package io.antiscraping.operator.detection;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/** A JDK HTTP server answering {@code /api/v1/query} as told, for error-path tests only. */
final class StubPrometheus implements AutoCloseable {

  record Answer(int status, String contentType, String body) {
  }

  record Seen(String method, String query, String body, String authorization) {
  }

  private final HttpServer server;
  private final AtomicReference<Answer> answer = new AtomicReference<>(new Answer(200, "application/json", "{}"));
  final AtomicReference<Seen> lastRequest = new AtomicReference<>();
  /** When set, requests wait for it before answering (to provoke timeouts); released on close. */
  final AtomicReference<CountDownLatch> hold = new AtomicReference<>();

  StubPrometheus() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "stub-prometheus");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  PrometheusEndpoint endpoint() {
    return PrometheusEndpoint.of(url());
  }

  void answer(int status, String contentType, String body) {
    answer.set(new Answer(status, contentType, body));
  }

  void json(String body) {
    answer(200, "application/json", body);
  }

  private void handle(HttpExchange ex) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    lastRequest.set(new Seen(ex.getRequestMethod(), ex.getRequestURI().getRawQuery(), body,
        ex.getRequestHeaders().getFirst("Authorization")));
    CountDownLatch l = hold.get();
    if (l != null) {
      try {
        l.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Answer a = answer.get();
    byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
    if (a.contentType() != null) {
      ex.getResponseHeaders().add("Content-Type", a.contentType());
    }
    if (a.status() >= 300 && a.status() < 400) {
      ex.getResponseHeaders().add("Location", "http://elsewhere.example/api/v1/query");
    }
    ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
    if (out.length > 0) {
      ex.getResponseBody().write(out);
    }
    ex.close();
  }

  @Override
  public void close() {
    CountDownLatch l = hold.get();
    if (l != null) {
      l.countDown();
    }
    server.stop(0);
  }
}
