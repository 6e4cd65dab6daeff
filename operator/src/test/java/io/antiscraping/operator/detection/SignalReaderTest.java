package io.antiscraping.operator.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.operator.decision.SignalReading;
import io.antiscraping.operator.detection.QueryResult.Failure;
import io.antiscraping.operator.detection.QueryResult.Kind;
import io.antiscraping.operator.detection.QueryResult.Series;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SignalReaderTest {

  static final Signal SCALAR = Signal.builder().name("reads").query("sum(x)").build();
  static final Signal PER_CLIENT = Signal.builder().name("clients").query("sum by (client) (x)")
      .perClient(new Signal.PerClient("client")).build();

  static QueryResult.Vector vector(Series... s) {
    return new QueryResult.Vector(List.of(s));
  }

  @Test
  void aScalarSignalTakesAScalarOrASingleSeries() {
    assertThat(SignalReader.interpret(SCALAR, new QueryResult.Scalar(3))).isEqualTo(new SignalReading.Scalar(3));
    assertThat(SignalReader.interpret(SCALAR, vector(new Series(Map.of("job", "x"), 4))))
        .isEqualTo(new SignalReading.Scalar(4));
    assertThat(SignalReader.interpret(SCALAR, vector(new Series(Map.of("a", "1"), 4), new Series(Map.of("a", "2"), 5))))
        .isEqualTo(new SignalReading.Unavailable("expected one series, got 2: aggregate the query, e.g. sum(...)"));
    assertThat(SignalReader.interpret(SCALAR, vector(new Series(Map.of(), Double.NaN))))
        .isEqualTo(new SignalReading.Unavailable("value is NaN"));
    assertThat(SignalReader.interpret(SCALAR, vector(new Series(Map.of(), Double.NEGATIVE_INFINITY))))
        .isEqualTo(new SignalReading.Unavailable("value is -Inf"));
    assertThat(SignalReader.interpret(SCALAR, new Failure(Kind.EMPTY, "empty result: the query returned no series")))
        .isEqualTo(new SignalReading.Unavailable("empty result: the query returned no series"));
  }

  @Test
  void aPerClientSignalReadsItsLabel() {
    SignalReading r = SignalReader.interpret(PER_CLIENT, vector(
        new Series(Map.of("client", "1.2.3.4", "route", "/a"), 3),
        new Series(Map.of("client", "1.2.3.4", "route", "/b"), 9),
        new Series(Map.of("client", "5.6.7.8"), Double.NaN),
        new Series(Map.of("client", "5.6.7.8"), 1),
        new Series(Map.of("route", "/c"), 100),
        new Series(Map.of("client", ""), 100)));
    assertThat(r).isEqualTo(new SignalReading.PerClient(Map.of("1.2.3.4", 9.0, "5.6.7.8", 1.0), 2));
  }

  @Test
  void anEmptyPerClientResultMeansNoClientsButOtherFailuresAreFailures() {
    assertThat(SignalReader.interpret(PER_CLIENT, new Failure(Kind.EMPTY, "empty")))
        .isEqualTo(new SignalReading.PerClient(Map.of()));
    assertThat(SignalReader.interpret(PER_CLIENT, new Failure(Kind.TIMEOUT, "no answer")))
        .isEqualTo(new SignalReading.Unavailable("no answer"));
    assertThat(SignalReader.interpret(PER_CLIENT, new QueryResult.Scalar(1)))
        .isEqualTo(new SignalReading.Unavailable("expected one series per client (label client), got a scalar"));
  }

  /** Security finding S6: each query asks the runner to keep only the label its signal reads (none: a scalar). */
  @Test
  void eachQueryNamesTheOnlyLabelItsSignalReads() {
    Map<String, String> asked = new java.util.HashMap<>();
    SignalReader reader = new SignalReader(new QueryRunner() {
      @Override
      public QueryResult query(PrometheusEndpoint endpoint, String promql) {
        throw new AssertionError("every label asked for " + promql);
      }

      @Override
      public QueryResult query(PrometheusEndpoint endpoint, String promql, String label) {
        asked.put(promql, String.valueOf(label));
        return new QueryResult.Scalar(1);
      }
    });
    reader.read(PrometheusEndpoint.of("http://prometheus.example:9090"), List.of(SCALAR, PER_CLIENT));
    assertThat(asked).containsExactlyInAnyOrderEntriesOf(Map.of("sum(x)", "null", "sum by (client) (x)", "client"));
  }
}
