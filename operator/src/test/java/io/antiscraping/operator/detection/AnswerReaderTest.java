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
}
