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

  /**
   * The same query under a query budget: {@code takeQuery} is charged only when the query goes to Prometheus (an
   * answer a cache shares costs nothing); null when the budget refuses it.
   */
  default QueryResult query(PrometheusEndpoint endpoint, String promql, String label,
                            java.util.function.BooleanSupplier takeQuery) {
    return takeQuery.getAsBoolean() ? query(endpoint, promql, label) : null;
  }
}
