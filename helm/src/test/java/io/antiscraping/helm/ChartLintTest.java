package io.antiscraping.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code helm lint --strict} and {@code helm template} accept every meaningful combination and refuse typos. */
class ChartLintTest {

  /** Kinds that are not part of Kubernetes itself: Fabric8 has no model for them. */
  static final Set<String> THIRD_PARTY = Set.of("ServiceMonitor", "PrometheusRule");

  @ParameterizedTest
  @EnumSource(Scenario.class)
  void lintsCleanInStrictMode(Scenario scenario) {
    LintResult result = HelmChart.lint(scenario.values);
    assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
    assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
  }

  @ParameterizedTest
  @EnumSource(Scenario.class)
  void rendersManifestsThatParseIntoKubernetesModels(Scenario scenario) throws IOException {
    HelmChart.Rendered rendered = HelmChart.template(scenario.values);
    Path out = Files.createDirectories(Path.of("target", "rendered")).resolve(scenario.name().toLowerCase() + ".yaml");
    Files.writeString(out, rendered.manifest());

    List<HasMetadata> objects = rendered.objects();
    assertThat(objects).isNotEmpty();
    for (HasMetadata o : objects) {
      assertThat(o.getMetadata().getName()).as("name of a %s", o.getKind()).isNotBlank();
      if (!THIRD_PARTY.contains(o.getKind())) {
        assertThat(o).as("%s %s has a typed Fabric8 model", o.getKind(), o.getMetadata().getName())
            .isNotInstanceOf(GenericKubernetesResource.class);
      }
    }
  }

  @Test
  void shippedChartRequiresAKubernetesVersionWithCelValidation() {
    // helm-java renders for Kubernetes v1.20.0; the chart's kubeVersion refuses it as a real install would.
    assertThatThrownBy(() -> HelmChart.templateAsShipped(Map.of()))
        .hasMessageContaining("chart requires kubeVersion: >=1.25.0-0");
  }

  @Test
  void unknownTopLevelValueFailsTemplateAndLint() {
    Map<String, Object> typo = Map.of("replicaCout", 2);
    assertThatThrownBy(() -> HelmChart.template(typo))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining("replicaCout");
    LintResult lint = HelmChart.lint(typo);
    assertThat(lint.isFailed()).isTrue();
    assertThat(String.join("\n", lint.getMessages())).contains("replicaCout");
  }

  @Test
  void unknownNestedValueFailsTemplate() {
    assertThatThrownBy(() -> HelmChart.template(Map.of("serviceMonitor", Map.of("enable", true))))
        .hasMessageContaining("enable");
    assertThatThrownBy(() -> HelmChart.template(
        Map.of("prometheusRule", Map.of("alerts", Map.of("operatorDwon", Map.of("enabled", false))))))
        .hasMessageContaining("operatorDwon");
  }

  @Test
  void wrongTypesAndFormatsFailTemplate() {
    assertThatThrownBy(() -> HelmChart.template(Map.of("replicaCount", "two"))).hasMessageContaining("replicaCount");
    assertThatThrownBy(() -> HelmChart.template(Map.of("watchNamespaces", "shop")))
        .hasMessageContaining("watchNamespaces");
    assertThatThrownBy(() -> HelmChart.template(Map.of("watchNamespaces", List.of("Shop_1"))))
        .hasMessageContaining("watchNamespaces");
    assertThatThrownBy(() -> HelmChart.template(Map.of("prometheus", Map.of("url", "prometheus:9090"))))
        .hasMessageContaining("prometheus.url");
    assertThatThrownBy(() -> HelmChart.template(Map.of("serviceMonitor", Map.of("interval", "30 seconds"))))
        .hasMessageContaining("interval");
  }

  @Test
  void severalReplicasWithoutLeaderElectionAreRefused() {
    assertThatThrownBy(() -> HelmChart.template(Map.of("replicaCount", 2, "leaderElection", Map.of("enabled", false))))
        .hasMessageContaining("replicaCount > 1 requires leaderElection.enabled=true");
  }
}
