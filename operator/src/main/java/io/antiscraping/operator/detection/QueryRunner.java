package io.antiscraping.operator.detection;

/** Runs one instant query. {@link PrometheusClient} is the real one; never throws, failures are results. */
@FunctionalInterface
public interface QueryRunner {

  QueryResult query(PrometheusEndpoint endpoint, String promql);

  /**
   * The same query, for a caller that reads only the series' label {@code label} (null: none, a scalar signal):
   * a runner may keep only that label of each series. By default every label is kept.
   */
  default QueryResult query(PrometheusEndpoint endpoint, String promql, String label) {
    return query(endpoint, promql);
  }
}
