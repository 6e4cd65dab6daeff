package io.antiscraping.operator.detection;

import java.time.Duration;

/** Told about every query actually sent to Prometheus (not about answers served from the {@link QueryCache}). */
@FunctionalInterface
public interface QueryObserver {

  QueryObserver NONE = (outcome, latency) -> {
  };

  /**
   * @param outcome {@code success} or a {@link QueryResult.Kind#outcome()} such as {@code timeout}
   * @param latency from sending the request to having the outcome
   */
  void observed(String outcome, Duration latency);
}
