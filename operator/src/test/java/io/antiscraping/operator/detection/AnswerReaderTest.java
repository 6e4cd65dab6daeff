package io.antiscraping.operator.detection;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Security finding 4: big and hostile answers are read as a stream, with a series cap, never as one tree. */
class AnswerReaderTest {

  static byte[] vector(int n) {
    StringBuilder sb = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"metric\":{\"client\":\"2001:db8::").append(Integer.toHexString(i))
          .append("\"},\"value\":[1700000000,\"").append(i % 1000).append("\"]}");
    }
    return sb.append("]}}").toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aHugeVectorKeepsTheStrongestSeriesAndCountsTheRest() {
    AnswerReader.Answer a = AnswerReader.read(vector(100_000), 1_000);
    assertThat(a.malformed()).isFalse();
    assertThat(a.series()).hasSize(1_000);
    assertThat(a.dropped()).isEqualTo(99_000);
    // 100 series of each value 0..999: the strongest 1,000 are those of the ten highest values
    assertThat(a.series()).allSatisfy(s -> assertThat(s.value()).isGreaterThanOrEqualTo(990.0));
  }

  @Test
  void nanCountsAsTheWeakestValue() {
    String body = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
        + "{\"metric\":{\"client\":\"a\"},\"value\":[1,\"NaN\"]},{\"metric\":{\"client\":\"b\"},\"value\":[1,\"3\"]},"
        + "{\"metric\":{\"client\":\"c\"},\"value\":[1,\"1\"]}]}}";
    AnswerReader.Answer a = AnswerReader.read(body.getBytes(StandardCharsets.UTF_8), 2);
    assertThat(a.series()).extracting(s -> s.labels().get("client")).containsExactly("b", "c");
    assertThat(a.dropped()).isEqualTo(1);
  }

  @Test
  void aDeepAnswerIsMalformedNotAStackOverflow() {
    String deep = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
        + "[".repeat(100_000) + "]".repeat(100_000) + "}]}}";
    assertThat(AnswerReader.read(deep.getBytes(StandardCharsets.UTF_8), 10).malformed()).isTrue();
  }

  @Test
  void wrongTypesAreNotSeries() {
    String body = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
        + "\"value\":[1,2]}]}}";
    assertThat(AnswerReader.read(body.getBytes(StandardCharsets.UTF_8), 10).badSeries()).isTrue();
    String matrix = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{},"
        + "\"values\":[[1,\"2\"]]}]}}";
    assertThat(AnswerReader.read(matrix.getBytes(StandardCharsets.UTF_8), 10).matrix()).isTrue();
    assertThat(AnswerReader.read("[1,2]".getBytes(StandardCharsets.UTF_8), 10).malformed()).isTrue();
    assertThat(AnswerReader.read("{\"status\":".getBytes(StandardCharsets.UTF_8), 10).malformed()).isTrue();
  }

  @Test
  void theClientKeepsTheStrongestSeriesAndThePerClientReadingSaysHowManyWereLeftOut() {
    try (StubPrometheus stub = new StubPrometheus()) {
      stub.json(new String(vector(500), StandardCharsets.UTF_8));
      QueryResult r = new PrometheusClient(null, 64 * 1024 * 1024, 100).query(stub.endpoint(), "x");
      assertThat(r).isInstanceOfSatisfying(QueryResult.Vector.class, v -> {
        assertThat(v.series()).hasSize(100);
        assertThat(v.dropped()).isEqualTo(400);
      });
      var signal = io.antiscraping.api.v1alpha1.Signal.builder().name("c").query("x")
          .perClient(new io.antiscraping.api.v1alpha1.Signal.PerClient("client")).build();
      assertThat(SignalReader.interpret(signal, r)).isInstanceOfSatisfying(
          io.antiscraping.operator.decision.SignalReading.PerClient.class, pc -> {
            assertThat(pc.values()).hasSize(100);
            assertThat(pc.leftOut()).isEqualTo(400);
          });
    }
  }

  /** A vector of {@code n} series with {@code labels} labels each ({@code client} among them). */
  static byte[] wide(int n, int labels) {
    StringBuilder sb = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"metric\":{");
      for (int l = 0; l < labels - 1; l++) {
        sb.append("\"label_").append(l).append("\":\"value-").append(l).append("\",");
      }
      sb.append("\"client\":\"192.0.2.").append(i % 256).append("\"},\"value\":[1700000000,\"").append(i)
          .append("\"]}");
    }
    return sb.append("]}}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Security finding S6: an answer of 20,000 series with 200 labels each, or one series with 2.8 million labels, was
   * built as JSON trees with unbounded label maps. Labels are counted while streaming: a series with more than 128
   * is refused before anything of it is kept.
   */
  @Test
  void aSeriesWithTooManyLabelsIsRefusedWhileStreaming() {
    AnswerReader.Answer one = AnswerReader.read(wide(1, 300_000), 20_000);
    assertThat(one.tooManyLabels()).isTrue();
    assertThat(one.series()).isEmpty();
    assertThat(AnswerReader.read(wide(50, 200), 20_000).tooManyLabels()).isTrue();
    assertThat(AnswerReader.read(wide(50, AnswerReader.MAX_LABELS), 20_000).series()).hasSize(50);

    try (StubPrometheus stub = new StubPrometheus()) {
      stub.json(new String(wide(20, 200), StandardCharsets.UTF_8));
      assertThat(new PrometheusClient(null).query(stub.endpoint(), "x")).isEqualTo(new QueryResult.Failure(
          QueryResult.Kind.TOO_LARGE, "a series of the answer from " + stub.endpoint().authority() + " has more than "
              + "128 labels: aggregate the query (e.g. sum by (client) (...))"));
    }
  }

  /** Security finding S6: only the label the policy reads is kept of each series (none for a scalar signal). */
  @Test
  void onlyTheLabelThePolicyReadsIsKept() {
    byte[] body = wide(2_000, 100);
    assertThat(AnswerReader.read(body, 20_000, AnswerReader.Labels.only("client")).series()).hasSize(2_000)
        .allSatisfy(s -> assertThat(s.labels()).containsOnlyKeys("client"));
    assertThat(AnswerReader.read(body, 20_000, AnswerReader.Labels.NONE).series())
        .allSatisfy(s -> assertThat(s.labels()).isEmpty());
    assertThat(AnswerReader.read(body, 20_000, AnswerReader.Labels.ALL).series())
        .allSatisfy(s -> assertThat(s.labels()).hasSize(100));
    // a kept value longer than a client address could be is dropped: the series counts as unlabelled
    String longValue = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
        + "{\"client\":\"" + "x".repeat(100_000) + "\"},\"value\":[1,\"5\"]}]}}";
    assertThat(AnswerReader.read(longValue.getBytes(StandardCharsets.UTF_8), 10, AnswerReader.Labels.only("client"))
        .series()).singleElement().satisfies(s -> assertThat(s.labels()).isEmpty());

    try (StubPrometheus stub = new StubPrometheus()) {
      stub.json(new String(wide(300, 50), StandardCharsets.UTF_8));
      assertThat(new PrometheusClient(null).query(stub.endpoint(), "x", "client")).isInstanceOfSatisfying(
          QueryResult.Vector.class, v -> assertThat(v.series()).hasSize(300)
              .allSatisfy(x -> assertThat(x.labels()).containsOnlyKeys("client")));
    }
  }
}
