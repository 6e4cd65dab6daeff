package io.antiscraping.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** After {@code helm install}, NOTES.txt tells the user how to check the install and what to apply next. */
class NotesTest {

  @Test
  void notesSayHowToCheckTheInstallAndWhatToApplyNext() {
    String out = HelmChart.installDryRunOutput(Map.of());
    assertThat(out).contains("NOTES:")
        .contains("kubectl -n antiscraping-system rollout status deployment/antiscraping-operator")
        .contains("kubectl apply -f examples/storefront-policy.yaml")
        .contains("It watches ScrapingPolicies and Ingresses in all namespaces.")
        .contains("http://prometheus-operated.monitoring:9090")
        .contains("allowSnippetAnnotations=false")
        .contains("serviceMonitor.enabled=true")
        .contains("replicaCount=2")
        .doesNotContain("install the CRD yourself");
  }

  @Test
  void notesFollowTheValues() {
    String out = HelmChart.installDryRunOutput(Map.of(
        "watchNamespaces", java.util.List.of("shop", "outlet"),
        "crds", Map.of("enabled", false),
        "replicaCount", 2,
        "allowSnippetAnnotations", true,
        "prometheusRule", Map.of("enabled", true)));
    assertThat(out).contains("It watches ScrapingPolicies and Ingresses in: shop, outlet.")
        .contains("install the CRD yourself")
        .contains("AntiscrapingOperatorDown fires until it scrapes them")
        .doesNotContain("allowSnippetAnnotations=false")
        .doesNotContain("For high availability");
  }
}
