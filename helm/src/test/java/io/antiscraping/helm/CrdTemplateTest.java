package io.antiscraping.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart installs the same CRD as {@code crds/}: Helm never upgrades files in a chart's {@code crds/} folder, so
 * the chart ships it as a template, kept on uninstall. Refresh the template after a CRD change with
 * {@code ./mvnw -pl helm test -Dtest=CrdTemplateTest -Dcrds.update=true}.
 */
class CrdTemplateTest {

  static final Path SOURCE = Path.of("..", "crds", "scrapingpolicies.antiscraping.io-v1.yml");
  static final Path TEMPLATE = HelmChart.CHART.resolve("templates/crds/scrapingpolicies.antiscraping.io.yaml");
  static final String STALE = "the chart's CRD is stale: run ./mvnw -pl helm test -Dtest=CrdTemplateTest "
      + "-Dcrds.update=true and commit " + TEMPLATE;

  @Test
  void renderedCrdEqualsTheGeneratedOne() throws IOException {
    if (Boolean.getBoolean("crds.update")) {
      Files.writeString(TEMPLATE, template(Files.readString(SOURCE)));
    }
    JsonNode source = HelmChart.YAML.readTree(SOURCE.toFile());
    JsonNode rendered = HelmChart.template(Map.of()).one("CustomResourceDefinition");

    assertThat(rendered.at("/apiVersion")).as(STALE).isEqualTo(source.at("/apiVersion"));
    assertThat(rendered.at("/metadata/name")).as(STALE).isEqualTo(source.at("/metadata/name"));
    assertThat(rendered.at("/spec")).as(STALE).isEqualTo(source.at("/spec"));
  }

  @Test
  void crdIsKeptOnUninstallAndLabelledAsPartOfTheRelease() {
    JsonNode crd = HelmChart.template(Map.of()).one("CustomResourceDefinition");
    assertThat(crd.at("/metadata/annotations/helm.sh~1resource-policy").asText()).isEqualTo("keep");
    assertThat(crd.at("/metadata/labels/app.kubernetes.io~1instance").asText()).isEqualTo(HelmChart.RELEASE);
    assertThat(crd.at("/metadata/namespace").isMissingNode()).as("a CRD is cluster-scoped").isTrue();
  }

  @Test
  void crdsCanBeLeftOut() {
    List<String> kinds = HelmChart.template(Map.of("crds", Map.of("enabled", false))).kinds();
    assertThat(kinds).doesNotContain("CustomResourceDefinition").contains("Deployment");
  }

  /** The chart template for a CRD file: Helm-owned metadata, then the generated spec verbatim. */
  static String template(String crdYaml) throws IOException {
    JsonNode crd = HelmChart.YAML.readTree(crdYaml);
    int spec = crdYaml.indexOf("\nspec:\n");
    if (spec < 0) {
      throw new IllegalArgumentException("no top-level spec in " + SOURCE);
    }
    String body = crdYaml.substring(spec + 1).replace("{{", "{{ \"{{\" }}");
    if (!body.endsWith("\n")) {
      body += "\n";
    }
    return "{{- if .Values.crds.enabled }}\n"
        + "# Copied from crds/" + SOURCE.getFileName() + " by CrdTemplateTest (-Dcrds.update=true): do not edit.\n"
        + "apiVersion: " + crd.at("/apiVersion").asText() + "\n"
        + "kind: CustomResourceDefinition\n"
        + "metadata:\n"
        + "  name: " + crd.at("/metadata/name").asText() + "\n"
        + "  annotations:\n"
        + "    # helm uninstall leaves the CRD, and so every ScrapingPolicy, in place.\n"
        + "    helm.sh/resource-policy: keep\n"
        + "  labels:\n"
        + "    {{- include \"antiscraping-operator.labels\" . | nindent 4 }}\n"
        + body
        + "{{- end }}\n";
  }
}
