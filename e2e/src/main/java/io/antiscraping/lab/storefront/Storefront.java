package io.antiscraping.lab.storefront;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The storefront behind nginx: product pages, user profiles and product comments from a {@link FakeDb}, and its
 * own Prometheus metrics on {@code /metrics}. Listens on 127.0.0.1 only.
 *
 * <p>Routes: {@code GET /}, {@code GET /products/{id}} (HTML), {@code GET /api/users/{id}} (JSON, masked phone),
 * {@code GET /api/products/{id}/comments} (JSON), {@code POST /api/products/{id}/comments}, {@code GET /metrics},
 * {@code GET /healthz}.
 *
 * <p>Signed-in customers send the session token {@link #signIn} issued to them in the {@value #SESSION_COOKIE}
 * cookie. A profile answer says whose record it was in {@value #RECORD_OWNER_HEADER}: {@code self} when the session's
 * customer read their own profile, {@code other} for anybody else's (or without a valid session). Only the storefront
 * can tell the two apart, and only it can issue a session: the header is what lets the access log, and the
 * per-client metrics read from it, count harvested records apart from customers looking at their own account.
 */
public final class Storefront implements AutoCloseable {

  public static final String ROUTE_HOME = "/";
  public static final String ROUTE_PRODUCT = "/products/{id}";
  public static final String ROUTE_USER = "/api/users/{id}";
  public static final String ROUTE_COMMENTS = "/api/products/{id}/comments";

  /** The cookie that carries a signed-in customer's session token. */
  public static final String SESSION_COOKIE = "session";
  /** The response header of a profile: {@code self} (the session's own record) or {@code other}. */
  public static final String RECORD_OWNER_HEADER = "X-Record-Owner";

  private static final Pattern PRODUCT = Pattern.compile("^/products/(\\d{1,9})$");
  private static final Pattern USER = Pattern.compile("^/api/users/(\\d{1,9})$");
  private static final Pattern COMMENTS = Pattern.compile("^/api/products/(\\d{1,9})/comments$");

  private final FakeDb db;
  private final HttpServer server;
  private final ExecutorService executor;
  private final CollectorRegistry registry = new CollectorRegistry();
  private final Counter records;
  private final Counter requests;
  private final AtomicLong postedComments = new AtomicLong();
  /** Signs session tokens: random per storefront, so a token is good only where it was issued. */
  private final javax.crypto.spec.SecretKeySpec sessionKey;

  private Storefront(FakeDb db, HttpServer server, ExecutorService executor) {
    this.db = db;
    this.server = server;
    this.executor = executor;
    this.records = Counter.build("storefront_records_served_total",
        "Records served to clients, by kind (profile: somebody else's, own-profile: a signed-in customer's own, "
            + "comment, product).").labelNames("kind").register(registry);
    this.requests = Counter.build("storefront_http_requests_total", "HTTP requests handled, by route, method and status.")
        .labelNames("route", "method", "status").register(registry);
    for (String kind : List.of("profile", "own-profile", "comment", "product")) {
      records.labels(kind);
    }
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    this.sessionKey = new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256");
  }

  /** What signing in as {@code userId} returns: a session token {@code <id>.<HMAC of the id>}. */
  public String signIn(int userId) {
    return userId + "." + mac(Integer.toString(userId));
  }

  private String mac(String text) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(sessionKey);
      return java.util.HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The signed-in customer of a request: a session cookie whose token this storefront issued; 0 for none. */
  private int sessionUser(HttpExchange ex) {
    for (String header : ex.getRequestHeaders().getOrDefault("Cookie", List.of())) {
      for (String cookie : header.split(";")) {
        String c = cookie.strip();
        if (!c.startsWith(SESSION_COOKIE + "=")) {
          continue;
        }
        String token = c.substring(SESSION_COOKIE.length() + 1);
        int dot = token.indexOf('.');
        if (dot < 1 || dot > 9 || !token.substring(0, dot).chars().allMatch(Character::isDigit)) {
          continue;
        }
        String id = token.substring(0, dot);
        if (java.security.MessageDigest.isEqual(mac(id).getBytes(StandardCharsets.US_ASCII),
            token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII))) {
          return Integer.parseInt(id);
        }
      }
    }
    return 0;
  }

  /** Starts on 127.0.0.1 and the given port (0: a free one). */
  public static Storefront start(FakeDb db, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
    ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "storefront");
      t.setDaemon(true);
      return t;
    });
    Storefront storefront = new Storefront(db, server, executor);
    server.createContext("/", storefront::handle);
    server.setExecutor(executor);
    server.start();
    return storefront;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public CollectorRegistry registry() {
    return registry;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      drain(ex.getRequestBody());
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      Response response = route(method, path, sessionUser(ex));
      if (response.recordKind() != null && response.records() > 0) {
        records.labels(response.recordKind()).inc(response.records());
      }
      if (!"/metrics".equals(path) && !"/healthz".equals(path)) {
        requests.labels(response.route(), method, Integer.toString(response.status())).inc();
      }
      byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", response.contentType());
      if (response.owner() != null) {
        ex.getResponseHeaders().set(RECORD_OWNER_HEADER, response.owner());
      }
      ex.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        ex.getResponseBody().write(body);
      }
    }
  }

  /** @param owner whose record a profile was ({@code self}, {@code other}); null for everything else */
  private record Response(int status, String contentType, String body, String route, String recordKind, int records,
      String owner) {
    Response(int status, String contentType, String body, String route, String recordKind, int records) {
      this(status, contentType, body, route, recordKind, records, null);
    }

    static Response notFound(String route) {
      return new Response(404, "application/json", "{\"error\":\"not found\"}", route, null, 0);
    }
  }

  /** @param sessionUser the signed-in customer, 0 for none */
  private Response route(String method, String path, int sessionUser) {
    Matcher m;
    if ("/metrics".equals(path)) {
      return new Response(200, TextFormat.CONTENT_TYPE_004, metricsText(), "/metrics", null, 0);
    }
    if ("/healthz".equals(path)) {
      return new Response(200, "text/plain", "ok\n", "/healthz", null, 0);
    }
    if ("/".equals(path)) {
      return new Response(200, "text/html; charset=utf-8",
          "<html><body><h1>Storefront</h1><p>" + db.products() + " products</p></body></html>\n", ROUTE_HOME, null, 0);
    }
    if ((m = PRODUCT.matcher(path)).matches()) {
      Optional<FakeDb.Product> p = db.product(Integer.parseInt(m.group(1)));
      if (p.isEmpty()) {
        return Response.notFound(ROUTE_PRODUCT);
      }
      FakeDb.Product product = p.get();
      String html = "<html><body><h1>" + product.name() + "</h1><p>" + product.priceCents() / 100 + "."
          + String.format("%02d", product.priceCents() % 100) + "</p></body></html>\n";
      return new Response(200, "text/html; charset=utf-8", html, ROUTE_PRODUCT, "product", 1);
    }
    if ((m = USER.matcher(path)).matches()) {
      Optional<FakeDb.User> u = db.user(Integer.parseInt(m.group(1)));
      if (u.isEmpty()) {
        return Response.notFound(ROUTE_USER);
      }
      FakeDb.User user = u.get();
      String json = "{\"id\":" + user.id() + ",\"nickname\":\"" + user.nickname() + "\",\"phone\":\"" + user.phoneMasked()
          + "\"}";
      boolean own = user.id() == sessionUser;
      return new Response(200, "application/json", json, ROUTE_USER, own ? "own-profile" : "profile", 1,
          own ? "self" : "other");
    }
    if ((m = COMMENTS.matcher(path)).matches()) {
      int productId = Integer.parseInt(m.group(1));
      if (db.product(productId).isEmpty()) {
        return Response.notFound(ROUTE_COMMENTS);
      }
      if ("POST".equals(method)) {
        postedComments.incrementAndGet();
        return new Response(201, "application/json", "{\"status\":\"accepted\"}", ROUTE_COMMENTS, null, 0);
      }
      List<FakeDb.Comment> comments = db.comments(productId);
      StringBuilder json = new StringBuilder("[");
      for (FakeDb.Comment c : comments) {
        if (json.length() > 1) {
          json.append(',');
        }
        json.append("{\"id\":").append(c.id()).append(",\"userId\":").append(c.userId()).append(",\"text\":\"")
            .append(c.text()).append("\"}");
      }
      json.append(']');
      return new Response(200, "application/json", json.toString(), ROUTE_COMMENTS, "comment", comments.size());
    }
    return Response.notFound("other");
  }

  private String metricsText() {
    try (var out = new java.io.StringWriter()) {
      TextFormat.write004(out, registry.metricFamilySamples());
      return out.toString();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void drain(InputStream in) throws IOException {
    in.transferTo(java.io.OutputStream.nullOutputStream());
  }

  public long postedComments() {
    return postedComments.get();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
