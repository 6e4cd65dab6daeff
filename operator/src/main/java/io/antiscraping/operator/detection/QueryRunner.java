package io.antiscraping.operator.detection;

/** Runs one instant query. {@link PrometheusClient} is the real one; never throws, failures are results. */
@FunctionalInterface
public interface QueryRunner {

  QueryResult query(PrometheusEndpoint endpoint, String promql);
}
