package io.antiscraping.operator.detection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes the Prometheus client with hostile answers over real HTTP: random JSON (deep, huge, wrong types, every NaN
 * and infinity spelling), Prometheus-shaped answers with random content, and bodies that are not JSON at all. The
 * client never throws, never echoes the body (a marker planted outside Prometheus's own error text never appears in
 * a message), and every message is one printable, bounded line.
 */
class AnswerFuzzTest {

  static final String MARKER = "LEAKME-7f3a";
  static StubPrometheus stub;
  static final AtomicInteger cases = new AtomicInteger();
  static final AtomicInteger failures = new AtomicInteger();

  @BeforeContainer
  static void start() {
    stub = new StubPrometheus();
  }

  @AfterContainer
  static void stop() {
    System.out.printf("AnswerFuzzTest: %d answers, %d reported as failures, none thrown, none echoed%n", cases.get(),
        failures.get());
    stub.close();
  }

  static final String[] NUMBERS = {"\"NaN\"", "\"nan\"", "\"+Inf\"", "\"-Inf\"", "\"Infinity\"", "\"1e309\"", "\"-0\"",
      "\"0x10\"", "\"1_000\"", "\"\"", "null", "true", "1", "-1.5", "[]", "{}", "\"" + MARKER + "\"", "\"12.5\""};

  static String json(Random r, int depth) {
    if (depth > 6 + r.nextInt(60) || r.nextInt(4) == 0) {
      return NUMBERS[r.nextInt(NUMBERS.length)];
    }
    StringBuilder sb = new StringBuilder();
    if (r.nextBoolean()) {
      sb.append('[');
      for (int i = 0, n = r.nextInt(4); i < n; i++) {
        sb.append(i > 0 ? "," : "").append(json(r, depth + 1));
      }
      return sb.append(']').toString();
    }
    sb.append('{');
    String[] keys = {"status", "data", "resultType", "result", "metric", "value", "values", MARKER, "warnings"};
    for (int i = 0, n = r.nextInt(4); i < n; i++) {
      sb.append(i > 0 ? "," : "").append('"').append(keys[r.nextInt(keys.length)]).append("\":")
          .append(json(r, depth + 1));
    }
    return sb.append('}').toString();
  }

  static String shaped(Random r) {
    String[] types = {"vector", "scalar", "matrix", "string", MARKER, "", "null"};
    String type = types[r.nextInt(types.length)];
    StringBuilder result = new StringBuilder("[");
    for (int i = 0, n = r.nextInt(5) == 0 ? r.nextInt(50_000) : r.nextInt(10); i < n; i++) {
      result.append(i > 0 ? "," : "").append("{\"metric\":{\"client\":\"203.0.113.").append(i % 256)
          .append("\",\"x\":\"").append(MARKER).append("\"},\"value\":[1700000000,")
          .append(NUMBERS[r.nextInt(NUMBERS.length)]).append("]}");
    }
    result.append(']');
    String data = type.equals("scalar") ? "[1700000000," + NUMBERS[r.nextInt(NUMBERS.length)] + "]" : result.toString();
    String status = r.nextInt(5) == 0 ? "\"" + MARKER + "\"" : "\"success\"";
    return "{\"status\":" + status + ",\"data\":{\"resultType\":\"" + type + "\",\"result\":" + data + "},\""
        + MARKER + "\":1}";
  }

  @Property(tries = 500)
  void hostileAnswersAreFailuresOrNumbersNeverExceptionsNorEchoes(@ForAll long seed) {
    Random r = new Random(seed);
    String body = switch (r.nextInt(5)) {
      case 0 -> json(r, 0);
      case 1 -> "<html><body>" + MARKER + " metadata: iam/security-credentials</body></html>";
      case 2 -> "[".repeat(1 + r.nextInt(100_000)) + MARKER;
      default -> shaped(r);
    };
    int status = r.nextInt(4) == 0 ? new int[] {200, 301, 400, 404, 422, 500, 503}[r.nextInt(7)] : 200;
    stub.answer(status, r.nextBoolean() ? "application/json" : "text/html; charset=" + MARKER, body);
    PrometheusClient client = new PrometheusClient(null, 4 * 1024 * 1024, 1000);
    QueryResult result = client.query(stub.endpoint(), "sum(rate(x[1m]))");
    cases.incrementAndGet();
    assertThat(result).isNotNull();
    if (result instanceof QueryResult.Failure f) {
      failures.incrementAndGet();
      assertThat(f.message()).doesNotContain(MARKER).hasSizeLessThanOrEqualTo(2048)
          .doesNotContainPattern("\\p{Cntrl}");
    }
    if (result instanceof QueryResult.Scalar s) {
      assertThat(Double.isFinite(s.value())).as("a scalar is a number, never NaN or infinite").isTrue();
    }
    if (result instanceof QueryResult.Vector v) {
      assertThat(v.series().size()).isLessThanOrEqualTo(1000);
    }
  }
}
