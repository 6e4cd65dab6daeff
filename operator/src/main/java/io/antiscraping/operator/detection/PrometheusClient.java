package io.antiscraping.operator.detection;

import io.antiscraping.operator.decision.Sanitizer;
import io.antiscraping.operator.detection.QueryResult.Failure;
import io.antiscraping.operator.detection.QueryResult.Kind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Prometheus HTTP API instant queries ({@code /api/v1/query}) with {@link HttpClient} and Jackson. Never throws and
 * never turns a failure into a number: every outcome is a {@link QueryResult}. Short queries are sent as GET, long
 * ones as a POST form. Redirects are not followed (a bearer token must not travel to another host). The token is
 * never logged nor put in a message.
 */
public final class PrometheusClient implements QueryRunner {

  /**
   * Largest answer read: 64 MiB, or an eighth of the heap when that is less (the bytes are held while the answer is
   * read as a stream; a per-client query over many clients is a few MB).
   */
  public static final int DEFAULT_MAX_BODY_BYTES = (int) Math.min(64L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 8);
  private static final int MAX_GET_URI = 2048;

  private final QueryObserver observer;
  private final int maxBodyBytes;
  private final int maxSeries;
  private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();
  /** RFC 6750 b64token: what an Authorization header may carry after "Bearer ". */
  private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

  public PrometheusClient(QueryObserver observer) {
    this(observer, DEFAULT_MAX_BODY_BYTES);
  }

  public PrometheusClient(QueryObserver observer, int maxBodyBytes) {
    this(observer, maxBodyBytes, AnswerReader.DEFAULT_MAX_SERIES);
  }

  /**
   * @param maxBodyBytes the largest answer read
   * @param maxSeries    series kept of one vector (the strongest; the others are counted)
   */
  public PrometheusClient(QueryObserver observer, int maxBodyBytes, int maxSeries) {
    this.observer = observer == null ? QueryObserver.NONE : observer;
    this.maxBodyBytes = maxBodyBytes;
    this.maxSeries = maxSeries;
  }

  @Override
  public QueryResult query(PrometheusEndpoint endpoint, String promql) {
    return query(endpoint, promql, AnswerReader.Labels.ALL);
  }

  /** Keeps only the series' label {@code label} (null: none): what an answer costs is then bounded per series. */
  @Override
  public QueryResult query(PrometheusEndpoint endpoint, String promql, String label) {
    return query(endpoint, promql, AnswerReader.Labels.only(label));
  }

  private QueryResult query(PrometheusEndpoint endpoint, String promql, AnswerReader.Labels labels) {
    long start = System.nanoTime();
    QueryResult r;
    try {
      r = send(endpoint, promql, labels);
    } catch (RuntimeException e) {
      // The exception's text may carry request headers (the JDK quotes a rejected header value): never echo it.
      r = new Failure(Kind.BAD_RESPONSE, "unexpected error querying " + endpoint.authority() + " ("
          + e.getClass().getSimpleName() + ")");
    }
    observer.observed(r.outcome(), Duration.ofNanos(System.nanoTime() - start));
    return r;
  }

  private QueryResult send(PrometheusEndpoint ep, String promql, AnswerReader.Labels labels) {
    HttpClient client;
    try {
      client = client(ep);
    } catch (IllegalArgumentException e) {
      return new Failure(Kind.TLS_ERROR, e.getMessage());
    }
    if (ep.bearerToken().isPresent() && !TOKEN.matcher(ep.bearerToken().get()).matches()) {
      // Checked before any header is built: the JDK's rejection of a header quotes its value, and a Secret's value
      // (a private key, say) must never reach a status, an Event or a log.
      return new Failure(Kind.BAD_CREDENTIALS, "the bearer token is not a valid HTTP token ("
          + ep.bearerToken().get().length() + " characters; only letters, digits and -._~+/= may appear, no spaces "
          + "or line breaks): check that the Secret key holds a Prometheus token");
    }
    URI uri = ep.queryUri();
    String form = "query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8) + ep.tenant().map(t -> "&"
        + URLEncoder.encode(t.parameter(), StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(t.value(), StandardCharsets.UTF_8)).orElse("");
    HttpRequest.Builder b;
    String get = uri + "?" + form;
    if (get.length() <= MAX_GET_URI) {
      b = HttpRequest.newBuilder(URI.create(get)).GET();
    } else {
      b = HttpRequest.newBuilder(uri).header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8));
    }
    b.timeout(ep.timeout()).header("Accept", "application/json");
    ep.bearerToken().ifPresent(t -> b.header("Authorization", "Bearer " + t));
    CompletableFuture<HttpResponse<byte[]>> f = client.sendAsync(b.build(), info -> new LimitedBody(maxBodyBytes));
    HttpResponse<byte[]> resp;
    try {
      resp = f.get(ep.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      return timeout(ep);
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      return new Failure(Kind.TIMEOUT, "interrupted while querying " + ep.authority());
    } catch (ExecutionException e) {
      return failure(ep, e.getCause());
    }
    return parse(ep, resp, labels);
  }

  private static Failure timeout(PrometheusEndpoint ep) {
    return new Failure(Kind.TIMEOUT, "no answer from Prometheus at " + ep.authority() + " within "
        + format(ep.timeout()));
  }

  private static Failure failure(PrometheusEndpoint ep, Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof HttpConnectTimeoutException) {
        return new Failure(Kind.UNREACHABLE, "cannot connect to Prometheus at " + ep.authority() + ": connect timed "
            + "out after " + format(ep.timeout()));
      }
      if (c instanceof HttpTimeoutException) {
        return timeout(ep);
      }
      if (c instanceof TooLarge) {
        return new Failure(Kind.TOO_LARGE, "answer from Prometheus at " + ep.authority() + " is larger than "
            + c.getMessage() + " bytes: narrow the query");
      }
      if (c instanceof ConnectException) {
        return new Failure(Kind.UNREACHABLE, "cannot connect to Prometheus at " + ep.authority()
            + ": connection refused");
      }
      if (c instanceof UnresolvedAddressException || c instanceof UnknownHostException) {
        return new Failure(Kind.UNREACHABLE, "cannot connect to Prometheus at " + ep.authority()
            + ": unknown host " + ep.baseUrl().getHost());
      }
      if (c instanceof SSLException) {
        return new Failure(Kind.TLS_ERROR, "TLS with Prometheus at " + ep.authority() + " failed: "
            + clean(c.getMessage()));
      }
    }
    return new Failure(Kind.UNREACHABLE, "cannot reach Prometheus at " + ep.authority() + ": "
        + (t == null ? "unknown error" : clean(t.getClass().getSimpleName()
        + (t.getMessage() == null ? "" : ": " + t.getMessage()))));
  }

  private QueryResult parse(PrometheusEndpoint ep, HttpResponse<byte[]> resp, AnswerReader.Labels labels) {
    int code = resp.statusCode();
    byte[] body = resp.body() == null ? new byte[0] : resp.body();
    AnswerReader.Answer a = AnswerReader.read(body, maxSeries, labels);
    if (a.tooManyLabels()) {
      return new Failure(Kind.TOO_LARGE, "a series of the answer from " + ep.authority() + " has more than "
          + AnswerReader.MAX_LABELS + " labels: aggregate the query (e.g. sum by (client) (...))");
    }
    if (code >= 300 && code < 400) {
      if (!ep.adminListed()) {
        return new Failure(Kind.HTTP_ERROR, "Prometheus at " + ep.authority() + " answered HTTP " + code
            + " (a redirect, not followed; " + NOT_LISTED + "): set the URL it redirects to");
      }
      return new Failure(Kind.HTTP_ERROR, "Prometheus at " + ep.authority() + " answered HTTP " + code
          + " (redirect to " + clean(resp.headers().firstValue("Location").orElse("?")) + ", not followed): "
          + "set the URL it redirects to");
    }
    if (code >= 400) {
      if (!a.malformed() && a.error() != null && !ep.adminListed()) {
        return new Failure(Kind.HTTP_ERROR, "Prometheus at " + ep.authority() + " answered HTTP " + code
            + knownErrorType(a.errorType()) + " (" + NOT_LISTED + ")");
      }
      if (!a.malformed() && a.error() != null) {
        String type = a.errorType() == null ? "" : a.errorType();
        return new Failure(Kind.HTTP_ERROR, "Prometheus answered HTTP " + code + (type.isEmpty() ? "" : " ("
            + clean(type) + ")") + ": " + prometheusError(a.error()));
      }
      return new Failure(Kind.HTTP_ERROR, "Prometheus at " + ep.authority() + " answered HTTP " + code
          + described(ep, resp, body));
    }
    if (a.malformed()) {
      return new Failure(Kind.NOT_JSON, "answer from " + ep.authority() + " (HTTP " + code + ") is not JSON"
          + (body.length == 0 ? " (empty body)" : described(ep, resp, body)));
    }
    if (!"success".equals(a.status())) {
      if (a.error() != null && !ep.adminListed()) {
        return new Failure(Kind.HTTP_ERROR, "Prometheus at " + ep.authority() + " answered status error"
            + knownErrorType(a.errorType()) + " (HTTP " + code + "; " + NOT_LISTED + ")");
      }
      if (a.error() != null) {
        return new Failure(Kind.HTTP_ERROR, "Prometheus answered status error"
            + (a.errorType() != null ? " (" + clean(a.errorType()) + ")" : "") + ": " + prometheusError(a.error()));
      }
      return new Failure(Kind.BAD_RESPONSE, "answer from " + ep.authority() + " is not a Prometheus API answer"
          + described(ep, resp, body));
    }
    String type = a.resultType() == null ? "" : a.resultType();
    switch (type) {
      case "scalar": {
        Double v = AnswerReader.sampleValue(a.scalar());
        if (v == null) {
          return new Failure(Kind.BAD_RESPONSE, "malformed scalar in the answer" + described(ep, resp, body));
        }
        Failure bad = nonFinite(v);
        return bad != null ? bad : new QueryResult.Scalar(v);
      }
      case "vector": {
        if (a.badSeries()) {
          return new Failure(Kind.BAD_RESPONSE, "malformed vector in the answer" + described(ep, resp, body));
        }
        if (a.series().isEmpty()) {
          return new Failure(Kind.EMPTY, "empty result: the query returned no series");
        }
        return new QueryResult.Vector(a.series(), a.dropped());
      }
      case "matrix":
        return new Failure(Kind.WRONG_TYPE, "expected an instant vector or a scalar, got a range vector (matrix): "
            + "remove the [range] selector or wrap it in a function such as rate()");
      case "string":
        return new Failure(Kind.WRONG_TYPE, "expected an instant vector or a scalar, got a string");
      default:
        // Not echoed: an answer that is not Prometheus's may carry anything there.
        return new Failure(Kind.BAD_RESPONSE, "unexpected result type in the answer (" + type.length()
            + " characters; expected vector or scalar)" + described(ep, resp, body));
    }
  }

  /**
   * Why a message leaves out what the server said: a policy URL may point at any JSON service the operator reaches
   * (an internal API, a metadata proxy), whose error text or redirect target would otherwise reach the policy's
   * status. The admin vouches for the servers it names.
   */
  static final String NOT_LISTED = "what the server said is shown only for a Prometheus the admin named with "
      + "--prometheus-url or --prometheus-allowed-url";

  /** The error types the Prometheus HTTP API defines: a name from this list says nothing the server chose freely. */
  private static final java.util.Set<String> ERROR_TYPES = java.util.Set.of("bad_data", "execution", "timeout",
      "canceled", "internal", "unavailable", "not_found", "not_acceptable");

  /** {@code " (bad_data)"} for one of Prometheus's own error types, else nothing. */
  private static String knownErrorType(String type) {
    return type != null && ERROR_TYPES.contains(type) ? " (" + type + ")" : "";
  }

  /** Prometheus's own error text (a PromQL parse error, say): one line, at most 200 characters. */
  private static String prometheusError(String error) {
    String c = clean(error);
    return c.length() > 200 ? c.substring(0, 200) + "..." : c;
  }

  private static Failure nonFinite(double v) {
    if (Double.isNaN(v)) {
      return new Failure(Kind.NAN, "value is NaN");
    }
    if (Double.isInfinite(v)) {
      return new Failure(Kind.INF, "value is " + (v > 0 ? "+Inf" : "-Inf"));
    }
    return null;
  }

  /**
   * One client per CA bundle (each HttpClient owns a selector thread): the timeout is set per request, so that
   * policies with many distinct timeouts cannot make the operator create a thread each. The connect timeout is the
   * longest query timeout; each query's own timeout bounds the whole exchange.
   */
  private HttpClient client(PrometheusEndpoint ep) {
    String ca = ep.caPem().orElse("");
    String key = ca.isEmpty() ? "-" : sha256(ca);
    HttpClient c = clients.get(key);
    if (c != null) {
      return c;
    }
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(PrometheusEndpoint.MAX_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1);
    if (!ca.isEmpty()) {
      b.sslContext(sslContext(ca));
    }
    c = b.build();
    HttpClient prev = clients.putIfAbsent(key, c);
    return prev != null ? prev : c;
  }

  static SSLContext sslContext(String pem) {
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      var certs = cf.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      if (certs.isEmpty()) {
        throw new IllegalArgumentException("the CA bundle holds no certificate");
      }
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate cert : certs) {
        ks.setCertificateEntry("ca-" + i++, cert);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalArgumentException("the CA bundle is not valid PEM: " + clean(String.valueOf(e.getMessage())));
    }
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * What an answer was, never what it said: the body of an answer that is not a Prometheus answer may be anything
   * the URL points at (a metadata service, an internal page), so only its size and content type are reported.
   */
  private static String described(PrometheusEndpoint ep, HttpResponse<byte[]> resp, byte[] body) {
    if (body.length == 0) {
      return "";
    }
    String type = resp.headers().firstValue("Content-Type").orElse("unknown type").split(";")[0].trim()
        .toLowerCase(java.util.Locale.ROOT);
    // The Content-Type is the server's choice too: of a server the admin did not name, only a common one is shown.
    return " (" + body.length + " bytes of " + (ep.adminListed() || COMMON_TYPES.contains(type) ? clean(type)
        : "another content type") + ")";
  }

  private static final java.util.Set<String> COMMON_TYPES = java.util.Set.of("application/json", "text/html",
      "text/plain", "application/xml", "text/xml", "application/octet-stream", "unknown type");

  /** Printable single line; bounded (the one sanitiser, {@link Sanitizer}). */
  static String clean(String s) {
    return Sanitizer.sanitize(s);
  }

  private static String format(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /** Marks an answer over the size limit. */
  private static final class TooLarge extends IOException {
    TooLarge(long limit) {
      super(Long.toString(limit));
    }
  }

  /** Collects the body, failing as soon as it exceeds the limit. */
  private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int limit;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final List<ByteBuffer> parts = new ArrayList<>();
    private long size;
    private Flow.Subscription subscription;

    LimitedBody(int limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        size += b.remaining();
        parts.add(b);
      }
      if (size > limit) {
        parts.clear();
        subscription.cancel();
        result.completeExceptionally(new TooLarge(limit));
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      if (result.isDone()) {
        return;
      }
      byte[] out = new byte[(int) size];
      int pos = 0;
      for (ByteBuffer b : parts) {
        int n = b.remaining();
        b.get(out, pos, n);
        pos += n;
      }
      result.complete(out);
    }
  }
}
