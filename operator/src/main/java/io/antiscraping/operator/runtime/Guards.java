package io.antiscraping.operator.runtime;

import io.antiscraping.operator.detection.TenantLimits;
import java.time.Duration;
import java.util.List;

/**
 * What the admin allows policy authors to make the operator do ({@code run}'s security flags).
 *
 * @param prometheusAllowedUrls Prometheus servers a policy may name in spec.prometheus.url (URL prefixes, hosts,
 *                              {@code host:port} or {@code *.domain}); empty = any host except loopback, link-local
 *                              and metadata addresses
 * @param bearerTokenOverHttp   let a bearer token travel over plain http
 * @param minEvaluationInterval no policy is evaluated more often (a shorter spec.evaluationInterval is raised to it)
 * @param namespaceConcurrency  evaluations of one namespace querying Prometheus at once
 * @param namespaceQueryBudget  Prometheus queries one namespace's policies may send a minute
 * @param neverBanCidrs         ranges no ban may cover beside the built-in ones: load balancer, pod and node CIDRs
 * @param tenantParameter       request parameter carrying the policy's namespace with every query, for a
 *                              tenant-scoped query proxy; null = none
 */
public record Guards(List<String> prometheusAllowedUrls, boolean bearerTokenOverHttp, Duration minEvaluationInterval,
                     int namespaceConcurrency, int namespaceQueryBudget, List<String> neverBanCidrs,
                     String tenantParameter) {

  public Guards(List<String> prometheusAllowedUrls, boolean bearerTokenOverHttp, Duration minEvaluationInterval,
                int namespaceConcurrency, int namespaceQueryBudget, List<String> neverBanCidrs) {
    this(prometheusAllowedUrls, bearerTokenOverHttp, minEvaluationInterval, namespaceConcurrency, namespaceQueryBudget,
        neverBanCidrs, null);
  }

  public Guards withTenantParameter(String parameter) {
    return new Guards(prometheusAllowedUrls, bearerTokenOverHttp, minEvaluationInterval, namespaceConcurrency,
        namespaceQueryBudget, neverBanCidrs, parameter);
  }

  public static final Duration DEFAULT_MIN_EVALUATION_INTERVAL = Duration.ofSeconds(10);

  public Guards {
    prometheusAllowedUrls = List.copyOf(prometheusAllowedUrls);
    neverBanCidrs = List.copyOf(neverBanCidrs);
    minEvaluationInterval = minEvaluationInterval == null ? Duration.ZERO : minEvaluationInterval;
  }

  public Guards(List<String> prometheusAllowedUrls, boolean bearerTokenOverHttp) {
    this(prometheusAllowedUrls, bearerTokenOverHttp, DEFAULT_MIN_EVALUATION_INTERVAL,
        TenantLimits.DEFAULT_CONCURRENT_EVALUATIONS, TenantLimits.DEFAULT_QUERIES_PER_MINUTE, List.of());
  }

  /** {@code run}'s defaults. */
  public static Guards defaults() {
    return new Guards(List.of(), false);
  }

  public Guards withPrometheusAllowedUrls(List<String> urls) {
    return new Guards(urls, bearerTokenOverHttp, minEvaluationInterval, namespaceConcurrency, namespaceQueryBudget,
        neverBanCidrs);
  }

  public Guards withBearerTokenOverHttp(boolean allow) {
    return new Guards(prometheusAllowedUrls, allow, minEvaluationInterval, namespaceConcurrency, namespaceQueryBudget,
        neverBanCidrs);
  }

  public Guards withMinEvaluationInterval(Duration d) {
    return new Guards(prometheusAllowedUrls, bearerTokenOverHttp, d, namespaceConcurrency, namespaceQueryBudget,
        neverBanCidrs);
  }

  public Guards withNamespaceLimits(int concurrency, int queriesPerMinute) {
    return new Guards(prometheusAllowedUrls, bearerTokenOverHttp, minEvaluationInterval, concurrency,
        queriesPerMinute, neverBanCidrs);
  }

  public Guards withNeverBanCidrs(List<String> cidrs) {
    return new Guards(prometheusAllowedUrls, bearerTokenOverHttp, minEvaluationInterval, namespaceConcurrency,
        namespaceQueryBudget, cidrs);
  }
}
