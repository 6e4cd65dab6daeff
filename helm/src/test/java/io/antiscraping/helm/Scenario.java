package io.antiscraping.helm;

import java.util.List;
import java.util.Map;

/** The value combinations a user meaningfully chooses between; each is linted and rendered. */
enum Scenario {
  DEFAULTS(Map.of()),
  NAMESPACE_SCOPED(Map.of("watchNamespaces", List.of("shop", "outlet"))),
  HIGH_AVAILABILITY(Map.of("replicaCount", 2)),
  MONITORING(Map.of(
      "serviceMonitor", Map.of("enabled", true, "labels", Map.of("release", "kube-prometheus-stack")),
      "prometheusRule", Map.of("enabled", true, "labels", Map.of("release", "kube-prometheus-stack")),
      "grafanaDashboard", Map.of("enabled", true))),
  ALL_PROVIDERS(Map.of("providers", Map.of(
      "envoyGateway", Map.of("enabled", true),
      "traefik", Map.of("enabled", true)))),
  HARDENED(Map.of(
      "watchNamespaces", List.of("shop"),
      "prometheus", Map.of("allowedUrls", List.of("https://thanos.monitoring.svc:10902", "prometheus.shop.svc"),
          "tenantParameter", "namespace"),
      "minEvaluationInterval", "30s",
      "namespaceLimits", Map.of("concurrentEvaluations", 2, "queriesPerMinute", 120),
      "neverBanCidrs", List.of("10.244.0.0/16", "10.0.0.0/24"),
      "networkPolicy", Map.of("enabled", true,
          "apiServer", Map.of("cidrs", List.of("10.0.0.1/32")),
          "prometheus", List.of(Map.of(
              "to", List.of(Map.of("namespaceSelector",
                  Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "monitoring")))),
              "ports", List.of(Map.of("port", 10902))))))),
  EVERYTHING(Map.of(
      "watchNamespaces", List.of("shop"),
      "replicaCount", 3,
      "allowSnippetAnnotations", true,
      "providers", Map.of("envoyGateway", Map.of("enabled", true), "traefik", Map.of("enabled", true)),
      "serviceMonitor", Map.of("enabled", true),
      "prometheusRule", Map.of("enabled", true, "additionalAlertLabels", Map.of("team", "storefront")),
      "grafanaDashboard", Map.of("enabled", true, "namespace", "monitoring")));

  final Map<String, ?> values;

  Scenario(Map<String, ?> values) {
    this.values = values;
  }
}
