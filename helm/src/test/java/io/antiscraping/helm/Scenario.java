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
