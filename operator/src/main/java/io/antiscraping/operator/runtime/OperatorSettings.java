package io.antiscraping.operator.runtime;

import java.net.URI;
import java.time.Duration;
import java.util.Set;

/**
 * How an operator runtime is configured; {@code run}'s flags map one to one.
 *
 * @param namespaces              namespaces to watch; empty = all
 * @param defaultPrometheusUrl    Prometheus for policies without spec.prometheus.url
 * @param metricsPort             port of /metrics, /healthz, /readyz; 0 = any free port
 * @param allowSnippetAnnotations whether the operator may write ingress-nginx {@code modsecurity-snippet}
 * @param leaderElection          whether to take a Lease before reconciling (needed with more than one replica)
 * @param leaseName               the Lease's name
 * @param leaseNamespace          the Lease's namespace; null = the client's namespace
 * @param guards                  what policy authors may make the operator do (security flags)
 */
public record OperatorSettings(Set<String> namespaces, URI defaultPrometheusUrl, int metricsPort,
                               boolean allowSnippetAnnotations, boolean leaderElection, String leaseName,
                               String leaseNamespace, Guards guards) {

  public static final String DEFAULT_PROMETHEUS_URL = "http://prometheus-operated.monitoring:9090";
  public static final int DEFAULT_METRICS_PORT = 8080;
  public static final String DEFAULT_LEASE_NAME = "antiscraping-operator";

  public OperatorSettings {
    namespaces = Set.copyOf(namespaces);
    guards = guards == null ? Guards.defaults() : guards;
  }

  public OperatorSettings(Set<String> namespaces, URI defaultPrometheusUrl, int metricsPort,
                          boolean allowSnippetAnnotations, boolean leaderElection, String leaseName,
                          String leaseNamespace) {
    this(namespaces, defaultPrometheusUrl, metricsPort, allowSnippetAnnotations, leaderElection, leaseName,
        leaseNamespace, Guards.defaults());
  }

  /**
   * Defaults of {@code run}, except leader election off, an ephemeral metrics port and no minimum evaluation interval
   * (for embedding and tests: the lab and the integration tests evaluate every second or two).
   */
  public static OperatorSettings defaults() {
    return new OperatorSettings(Set.of(), URI.create(DEFAULT_PROMETHEUS_URL), 0, false, false, DEFAULT_LEASE_NAME, null,
        Guards.defaults().withMinEvaluationInterval(Duration.ZERO));
  }

  public OperatorSettings withNamespaces(Set<String> ns) {
    return new OperatorSettings(ns, defaultPrometheusUrl, metricsPort, allowSnippetAnnotations, leaderElection,
        leaseName, leaseNamespace, guards);
  }

  public OperatorSettings withDefaultPrometheusUrl(URI url) {
    return new OperatorSettings(namespaces, url, metricsPort, allowSnippetAnnotations, leaderElection, leaseName,
        leaseNamespace, guards);
  }

  public OperatorSettings withAllowSnippetAnnotations(boolean allow) {
    return new OperatorSettings(namespaces, defaultPrometheusUrl, metricsPort, allow, leaderElection, leaseName,
        leaseNamespace, guards);
  }

  public OperatorSettings withGuards(Guards g) {
    return new OperatorSettings(namespaces, defaultPrometheusUrl, metricsPort, allowSnippetAnnotations, leaderElection,
        leaseName, leaseNamespace, g);
  }
}
