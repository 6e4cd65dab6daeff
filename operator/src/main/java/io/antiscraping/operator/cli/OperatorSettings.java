package io.antiscraping.operator.cli;

import java.net.URI;
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
 */
public record OperatorSettings(Set<String> namespaces, URI defaultPrometheusUrl, int metricsPort,
                               boolean allowSnippetAnnotations, boolean leaderElection, String leaseName,
                               String leaseNamespace) {

  public static final String DEFAULT_PROMETHEUS_URL = "http://prometheus-operated.monitoring:9090";
  public static final int DEFAULT_METRICS_PORT = 8080;
  public static final String DEFAULT_LEASE_NAME = "antiscraping-operator";

  public OperatorSettings {
    namespaces = Set.copyOf(namespaces);
  }

  /** Defaults of {@code run}, except leader election off and an ephemeral metrics port (for embedding and tests). */
  public static OperatorSettings defaults() {
    return new OperatorSettings(Set.of(), URI.create(DEFAULT_PROMETHEUS_URL), 0, false, false, DEFAULT_LEASE_NAME, null);
  }

  public OperatorSettings withNamespaces(Set<String> ns) {
    return new OperatorSettings(ns, defaultPrometheusUrl, metricsPort, allowSnippetAnnotations, leaderElection,
        leaseName, leaseNamespace);
  }

  public OperatorSettings withDefaultPrometheusUrl(URI url) {
    return new OperatorSettings(namespaces, url, metricsPort, allowSnippetAnnotations, leaderElection, leaseName,
        leaseNamespace);
  }

  public OperatorSettings withAllowSnippetAnnotations(boolean allow) {
    return new OperatorSettings(namespaces, defaultPrometheusUrl, metricsPort, allow, leaderElection, leaseName,
        leaseNamespace);
  }
}
