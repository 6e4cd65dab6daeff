package io.antiscraping.operator.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.operator.detection.QueryResult.Failure;
import io.antiscraping.operator.detection.QueryResult.Kind;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Error paths against a stub server; the main path runs against a real Prometheus in DetectionPrometheusIT. */
class PrometheusClientTest {

  final StubPrometheus stub = new StubPrometheus();
  final List<String> outcomes = new ArrayList<>();
  final PrometheusClient client = new PrometheusClient((o, d) -> outcomes.add(o));

  @AfterEach
  void close() {
    stub.close();
  }

  static Stream<Arguments> answers() {
    return Stream.of(
        Arguments.of(200, "application/json", "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
            + "\"result\":[]}}", Kind.EMPTY, "empty result: the query returned no series"),
        Arguments.of(200, "application/json", "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
            + "\"result\":[1700000000.1,\"NaN\"]}}", Kind.NAN, "value is NaN"),
        Arguments.of(200, "application/json", "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
            + "\"result\":[1700000000.1,\"+Inf\"]}}", Kind.INF, "value is +Inf"),
        Arguments.of(200, "application/json", "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
            + "\"result\":[1700000000.1,\"-Inf\"]}}", Kind.INF, "value is -Inf"),
        Arguments.of(200, "application/json", "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
            + "\"result\":[]}}", Kind.WRONG_TYPE, "expected an instant vector or a scalar, got a range vector "
            + "(matrix): remove the [range] selector or wrap it in a function such as rate()"),
        Arguments.of(200, "application/json", "{\"status\":\"success\",\"data\":{\"resultType\":\"string\","
            + "\"result\":[1,\"x\"]}}", Kind.WRONG_TYPE, "expected an instant vector or a scalar, got a string"),
        Arguments.of(200, "text/html", "<html><body>Sign in\n to continue</body></html>", Kind.NOT_JSON,
            "answer from 127.0.0.1:PORT (HTTP 200) is not JSON (46 bytes of text/html)"),
        Arguments.of(200, "application/json", "", Kind.NOT_JSON,
            "answer from 127.0.0.1:PORT (HTTP 200) is not JSON (empty body)"),
        Arguments.of(200, "application/json", "{\"hello\":1}", Kind.BAD_RESPONSE,
            "answer from 127.0.0.1:PORT is not a Prometheus API answer (11 bytes of application/json)"),
        Arguments.of(400, "application/json", "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":"
            + "\"1:5: parse error: unexpected end of input\"}", Kind.HTTP_ERROR,
            "Prometheus answered HTTP 400 (bad_data): 1:5: parse error: unexpected end of input"),
        Arguments.of(503, "application/json", "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":"
            + "\"TSDB not ready\"}", Kind.HTTP_ERROR, "Prometheus answered HTTP 503 (unavailable): TSDB not ready"),
        Arguments.of(502, "text/html", "<h1>Bad Gateway</h1>", Kind.HTTP_ERROR,
            "Prometheus at 127.0.0.1:PORT answered HTTP 502 (20 bytes of text/html)"),
        Arguments.of(401, null, "", Kind.HTTP_ERROR, "Prometheus at 127.0.0.1:PORT answered HTTP 401"),
        Arguments.of(302, null, "", Kind.HTTP_ERROR, "Prometheus at 127.0.0.1:PORT answered HTTP 302 (redirect to "
            + "http://elsewhere.example/api/v1/query, not followed): set the URL it redirects to"));
  }

  /** Of a Prometheus the admin named: its own words (error text, redirect target) are shown. */
  @ParameterizedTest(name = "{3}: {4}")
  @MethodSource("answers")
  void failuresAreResultsWithClearMessagesNeverNumbers(int status, String type, String body, Kind kind,
                                                       String message) {
    stub.answer(status, type, body);
    QueryResult r = client.query(stub.endpoint().withAdminListed(true), "up");
    String port = stub.url().substring(stub.url().lastIndexOf(':') + 1);
    assertThat(r).isEqualTo(new Failure(kind, message.replace("PORT", port)));
    assertThat(outcomes).containsExactly(kind.outcome());
  }

  static Stream<Arguments> unlistedAnswers() {
    String notListed = " (" + PrometheusClient.NOT_LISTED + ")";
    return Stream.of(
        Arguments.of(400, "application/json", "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":"
            + "\"SECRET db password hunter2\"}", "Prometheus at 127.0.0.1:PORT answered HTTP 400 (bad_data)" + notListed),
        Arguments.of(500, "application/json", "{\"status\":\"error\",\"errorType\":\"SECRET-api-key-123\","
            + "\"error\":\"x\"}", "Prometheus at 127.0.0.1:PORT answered HTTP 500" + notListed),
        Arguments.of(200, "application/json", "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":"
            + "\"SECRET\"}", "Prometheus at 127.0.0.1:PORT answered status error (execution) (HTTP 200; "
            + PrometheusClient.NOT_LISTED + ")"),
        Arguments.of(302, null, "", "Prometheus at 127.0.0.1:PORT answered HTTP 302 (a redirect, not followed; "
            + PrometheusClient.NOT_LISTED + "): set the URL it redirects to"),
        Arguments.of(200, "application/x-SECRET-token-abc", "{\"hello\":1}",
            "answer from 127.0.0.1:PORT is not a Prometheus API answer (11 bytes of another content type)"),
        Arguments.of(502, "text/html", "<h1>Bad Gateway</h1>",
            "Prometheus at 127.0.0.1:PORT answered HTTP 502 (20 bytes of text/html)"));
  }

  /**
   * Issue S (echoed error text): a policy URL may point at any JSON service the operator reaches, and with an empty
   * allowlist at any ordinary host. Of a server the admin did not name, the status gets the kind of failure and
   * the HTTP code, never its error text, a free-form errorType, a redirect's Location or an odd Content-Type.
   */
  @ParameterizedTest(name = "{4}")
  @MethodSource("unlistedAnswers")
  void whatAServerTheAdminDidNotNameSaidIsNotEchoed(int status, String type, String body, String message) {
    stub.answer(status, type, body);
    QueryResult r = client.query(stub.endpoint(), "up");
    String port = stub.url().substring(stub.url().lastIndexOf(':') + 1);
    assertThat(r).isInstanceOf(Failure.class);
    assertThat(((Failure) r).message()).isEqualTo(message.replace("PORT", port))
        .doesNotContain("SECRET").doesNotContain("elsewhere.example");
  }

  @Test
  void scalarsAndVectorsAreParsed() {
    stub.json("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000.1,\"42.5\"]}}");
    assertThat(client.query(stub.endpoint(), "scalar(x)")).isEqualTo(new QueryResult.Scalar(42.5));
    stub.json("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
        + "{\"metric\":{\"client\":\"1.2.3.4\"},\"value\":[1700000000.1,\"3\"]},"
        + "{\"metric\":{},\"value\":[1700000000.1,\"NaN\"]}]}}");
    QueryResult.Vector v = (QueryResult.Vector) client.query(stub.endpoint(), "x");
    assertThat(v.series()).hasSize(2);
    assertThat(v.series().get(0)).isEqualTo(new QueryResult.Series(Map.of("client", "1.2.3.4"), 3));
    assertThat(v.series().get(1).value()).isNaN();
    assertThat(outcomes).containsExactly("success", "success");
  }

  @Test
  void aSlowPrometheusIsATimeout() {
    stub.hold.set(new CountDownLatch(1));
    QueryResult r = client.query(stub.endpoint().withTimeout(Duration.ofMillis(300)), "up");
    assertThat(r).isEqualTo(new Failure(Kind.TIMEOUT, "no answer from Prometheus at 127.0.0.1:"
        + stub.url().substring(stub.url().lastIndexOf(':') + 1) + " within 300ms"));
    assertThat(outcomes).containsExactly("timeout");
  }

  @Test
  void aClosedPortIsUnreachable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    QueryResult r = client.query(PrometheusEndpoint.of("http://127.0.0.1:" + port), "up");
    assertThat(r).isEqualTo(new Failure(Kind.UNREACHABLE, "cannot connect to Prometheus at 127.0.0.1:" + port
        + ": connection refused"));
  }

  @Test
  void anUnknownHostIsUnreachable() {
    QueryResult r = client.query(PrometheusEndpoint.of("http://no-such-host.invalid:9090"), "up");
    assertThat(r).isInstanceOf(Failure.class);
    assertThat(((Failure) r).kind()).isEqualTo(Kind.UNREACHABLE);
    assertThat(((Failure) r).message()).startsWith("cannot connect to Prometheus at no-such-host.invalid:9090");
  }

  @Test
  void theBearerTokenIsSentButNeverShown() {
    stub.json("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"1\"]}}");
    PrometheusEndpoint ep = stub.endpoint().withBearerToken("s3cr3t-t0ken");
    client.query(ep, "up");
    assertThat(stub.lastRequest.get().authorization()).isEqualTo("Bearer s3cr3t-t0ken");
    assertThat(ep.toString()).doesNotContain("s3cr3t").contains("bearerToken=<redacted>");
    stub.answer(401, "text/plain", "unauthorized: bad token s3cr3t-t0ken");
    // the server echoing it is beyond our control, but our own wording never includes it
    assertThat(((Failure) client.query(ep.withBearerToken("other"), "up")).message())
        .startsWith("Prometheus at 127.0.0.1:").doesNotContain("other");
  }

  /** Security finding 1: a Secret holding a private key, used as a bearer token, never reaches a message. */
  @Test
  void aTokenAHeaderCannotCarryIsRefusedWithoutEchoingIt() {
    stub.json("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"1\"]}}");
    String key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
    QueryResult r = client.query(stub.endpoint().withBearerToken(key), "up");
    assertThat(r).isInstanceOf(Failure.class);
    assertThat(((Failure) r).kind()).isEqualTo(Kind.BAD_CREDENTIALS);
    assertThat(((Failure) r).message()).contains("not a valid HTTP token").doesNotContain("PRIVATE")
        .doesNotContain("MIIE").doesNotContain("\n");
    assertThat(stub.lastRequest.get()).as("nothing was sent").isNull();
  }

  /** Security finding 3: an answer that is not Prometheus's (a metadata service, say) is described, not echoed. */
  @Test
  void aForeignAnswerIsNeverEchoed() {
    stub.answer(200, "text/plain; charset=utf-8", "AccessKeyId=AKIAEXAMPLE\nSecretAccessKey=wJalrXUtnFEMI");
    Failure f = (Failure) client.query(stub.endpoint(), "up");
    assertThat(f.message()).doesNotContain("AKIA").doesNotContain("wJalr").matches(".*\\(\\d+ bytes of text/plain\\)$");
    stub.answer(404, "application/json", "{\"instance-id\":\"i-0abc\",\"token\":\"t0k\"}");
    assertThat(((Failure) client.query(stub.endpoint(), "up")).message()).doesNotContain("i-0abc")
        .doesNotContain("t0k");
  }

  /** Security finding 5: distinct timeouts must not each create an HTTP client with its own selector thread. */
  @Test
  void distinctTimeoutsShareOneClientAndThread() {
    stub.json("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"1\"]}}");
    client.query(stub.endpoint(), "up");
    long before = selectorThreads();
    for (int ms = 1000; ms < 1050; ms++) {
      assertThat(client.query(stub.endpoint().withTimeout(java.time.Duration.ofMillis(ms)), "up"))
          .isInstanceOf(QueryResult.Scalar.class);
    }
    assertThat(selectorThreads()).isLessThanOrEqualTo(before);
    assertThat(stub.endpoint().withTimeout(java.time.Duration.ofHours(1)).timeout())
        .isEqualTo(PrometheusEndpoint.MAX_TIMEOUT);
  }

  private static long selectorThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().contains("SelectorManager")).count();
  }

  @Test
  void shortQueriesAreGetAndLongOnesPostForms() {
    stub.json("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"1\"]}}");
    client.query(stub.endpoint(), "sum(rate(x{a=\"b c\"}[1m]))");
    assertThat(stub.lastRequest.get().method()).isEqualTo("GET");
    assertThat(URLDecoder.decode(stub.lastRequest.get().query(), StandardCharsets.UTF_8))
        .isEqualTo("query=sum(rate(x{a=\"b c\"}[1m]))");
    String longQuery = "sum(x{a=~\"" + "y|".repeat(2000) + "z\"})";
    client.query(stub.endpoint(), longQuery);
    assertThat(stub.lastRequest.get().method()).isEqualTo("POST");
    assertThat(URLDecoder.decode(stub.lastRequest.get().body(), StandardCharsets.UTF_8))
        .isEqualTo("query=" + longQuery);
  }

  @Test
  void aPathPrefixIsKept() {
    stub.json("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"7\"]}}");
    PrometheusEndpoint ep = new PrometheusEndpoint(URI.create(stub.url() + "/prometheus/"), Optional.empty(),
        Optional.empty(), Duration.ofSeconds(2));
    assertThat(ep.queryUri().getPath()).isEqualTo("/prometheus/api/v1/query");
    assertThat(client.query(ep, "x")).isEqualTo(new QueryResult.Scalar(7));
  }

  @Test
  void anOversizedAnswerIsRefused() {
    PrometheusClient small = new PrometheusClient((o, d) -> outcomes.add(o), 1024);
    stub.json("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
        + "{\"metric\":{\"client\":\"1.2.3.4\"},\"value\":[1,\"3\"]},".repeat(100) + "]}}");
    QueryResult r = small.query(stub.endpoint(), "x");
    assertThat(r).isInstanceOf(Failure.class);
    assertThat(((Failure) r).kind()).isEqualTo(Kind.TOO_LARGE);
  }

  @Test
  void anInvalidCaBundleIsATlsError() {
    QueryResult r = client.query(stub.endpoint().withCaPem("-----BEGIN CERTIFICATE-----\nnope\n"
        + "-----END CERTIFICATE-----\n"), "up");
    assertThat(r).isInstanceOf(Failure.class);
    assertThat(((Failure) r).kind()).isEqualTo(Kind.TLS_ERROR);
    assertThat(((Failure) r).message()).startsWith("the CA bundle is not valid PEM");
  }
}
