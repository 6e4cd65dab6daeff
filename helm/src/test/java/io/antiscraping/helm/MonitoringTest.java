package io.antiscraping.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.antiscraping.api.schema.CrdSchema;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The optional prometheus-operator objects validate against the upstream CRDs (prometheus-operator v0.93.0), select
 * what the chart installs, and the dashboard is a Grafana dashboard.
 */
class MonitoringTest {

  static final Path UPSTREAM = Path.of("src", "test", "resources", "upstream-crds", "prometheus-operator-v0.93.0");

  static CrdSchema upstream(String file) {
    Path crd = UPSTREAM.resolve(file);
    assertThat(crd).as("upstream CRD %s (src/test/resources/upstream-crds)", crd.toAbsolutePath()
        .normalize()).exists();
    return CrdSchema.lenient(crd, "v1");
  }

  @ParameterizedTest
  @EnumSource(value = Scenario.class, names = {"MONITORING", "EVERYTHING"})
  void serviceMonitorAndPrometheusRuleMatchTheUpstreamSchemas(Scenario scenario) {
    HelmChart.Rendered r = HelmChart.template(scenario.values);
    assertThat(upstream("monitoring.coreos.com_servicemonitors.yaml").validate(r.one("ServiceMonitor"))).isEmpty();
    assertThat(upstream("monitoring.coreos.com_prometheusrules.yaml").validate(r.one("PrometheusRule"))).isEmpty();
  }

  @Test
  void schemaValidationCatchesAMalformedServiceMonitor() {
    JsonNode sm = HelmChart.template(Scenario.MONITORING.values).one("ServiceMonitor").deepCopy();
    ((ObjectNode) sm.at("/spec/endpoints/0")).put("interval", "every 30 seconds");
    ((ObjectNode) sm.at("/spec/endpoints/0")).put("honourLabels", true);
    List<String> errors = upstream("monitoring.coreos.com_servicemonitors.yaml").validate(sm).stream()
        .map(Object::toString).toList();
    assertThat(String.join("\n", errors)).contains("interval").contains("honourLabels");
  }

  @Test
  void monitoringIsOffByDefault() {
    assertThat(HelmChart.template(Map.of()).kinds()).doesNotContain("ServiceMonitor", "PrometheusRule", "ConfigMap");
  }

  @Test
  void serviceMonitorScrapesTheMetricsServiceAndKeepsThePolicyNamespaceLabel() {
    HelmChart.Rendered r = HelmChart.template(Scenario.MONITORING.values);
    JsonNode sm = r.one("ServiceMonitor");
    Service svc = r.one(Service.class);
    assertThat(sm.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
    Map<String, String> selector = HelmChart.JSON.convertValue(sm.at("/spec/selector/matchLabels"),
        HelmChart.JSON.getTypeFactory().constructMapType(Map.class, String.class, String.class));
    assertThat(svc.getMetadata().getLabels()).containsAllEntriesOf(selector);
    assertThat(sm.at("/spec/namespaceSelector/matchNames/0").asText()).isEqualTo(svc.getMetadata().getNamespace());
    JsonNode endpoint = sm.at("/spec/endpoints/0");
    assertThat(endpoint.path("port").asText()).isEqualTo(svc.getSpec().getPorts().get(0).getName());
    assertThat(endpoint.path("path").asText()).isEqualTo("/metrics");
    // Without it Prometheus renames the policy's `namespace` label to `exported_namespace`.
    assertThat(endpoint.path("honorLabels").asBoolean()).isTrue();
  }

  @Test
  void prometheusRuleAlertsOnWhatTheIssueNames() {
    JsonNode rule = HelmChart.template(Scenario.MONITORING.values).one("PrometheusRule");
    assertThat(rule.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
    List<String> alerts = new ArrayList<>();
    rule.at("/spec/groups").forEach(g -> g.path("rules").forEach(a -> {
      alerts.add(a.path("alert").asText());
      assertThat(a.at("/labels/severity").asText()).as(a.path("alert").asText()).isNotBlank();
      assertThat(a.at("/annotations/summary").asText()).isNotBlank();
      assertThat(a.at("/annotations/description").asText()).isNotBlank();
    }));
    assertThat(alerts).containsExactlyInAnyOrder(
        "AntiscrapingOperatorDown", "AntiscrapingEvaluationFailing", "AntiscrapingPolicyInvalid",
        "AntiscrapingPrometheusUnreachable", "AntiscrapingPolicyMetricsUnavailable",
        "AntiscrapingPolicyStuckAtTopLevel", "AntiscrapingBanCapReached", "AntiscrapingSuspectClientAddresses",
        "AntiscrapingBansNotTakingEffect");

    JsonNode down = rule.at("/spec/groups/0/rules/0");
    assertThat(down.path("expr").asText()).contains("job=\"antiscraping-operator-metrics\"")
        .contains("namespace=\"" + HelmChart.NAMESPACE + "\"");
    // Prometheus templates in annotations reach Prometheus unrendered by Helm.
    assertThat(rule.toString()).contains("{{ $labels.namespace }}/{{ $labels.policy }}");
  }

  @Test
  void alertsCanBeTunedAndSwitchedOff() {
    JsonNode rule = HelmChart.template(Map.of("prometheusRule", Map.of(
        "enabled", true,
        "additionalAlertLabels", Map.of("team", "storefront"),
        "alerts", Map.of(
            "banCapReached", Map.of("enabled", false),
            "operatorDown", Map.of("for", "2m", "severity", "page"))))).one("PrometheusRule");
    List<JsonNode> rules = new ArrayList<>();
    rule.at("/spec/groups/0/rules").forEach(rules::add);
    assertThat(rules).extracting(a -> a.path("alert").asText()).doesNotContain("AntiscrapingBanCapReached");
    assertThat(rules).allSatisfy(a -> assertThat(a.at("/labels/team").asText()).isEqualTo("storefront"));
    JsonNode down = rules.stream().filter(a -> a.path("alert").asText().equals("AntiscrapingOperatorDown"))
        .findFirst().orElseThrow();
    assertThat(down.path("for").asText()).isEqualTo("2m");
    assertThat(down.at("/labels/severity").asText()).isEqualTo("page");
  }

  @Test
  void dashboardConfigMapHoldsTheChartsDashboardForTheGrafanaSidecar() throws IOException {
    HelmChart.Rendered r = HelmChart.template(Scenario.MONITORING.values);
    ConfigMap cm = r.one(ConfigMap.class);
    assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(cm.getData()).containsOnlyKeys("antiscraping-operator.json");
    JsonNode shipped = HelmChart.JSON.readTree(cm.getData().get("antiscraping-operator.json"));
    JsonNode source = HelmChart.JSON.readTree(
        Files.readString(HelmChart.CHART.resolve("dashboards/antiscraping-operator.json")));
    assertThat(shipped).isEqualTo(source);
    assertThat(shipped.path("uid").asText()).isEqualTo("antiscraping-operator");
    assertThat(OperatorContractTest.dashboardQueries(shipped)).hasSizeGreaterThanOrEqualTo(12);
  }
}
