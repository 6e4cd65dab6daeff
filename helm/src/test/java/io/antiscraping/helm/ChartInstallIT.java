package io.antiscraping.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.antiscraping.testing.ControlPlane;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart as shipped (its {@code kubeVersion} constraint included: the server reports its real version) installed
 * with helm-java into a real kube-apiserver, upgraded with changed values and uninstalled. Every rendered object is
 * accepted by the server's validation and admission; the CRD stays after uninstall ({@code resource-policy: keep}).
 * Nothing runs the Deployment (no kubelet, no scheduler): the test asserts on the objects.
 */
class ChartInstallIT {

  static final String CRD = "scrapingpolicies.antiscraping.io";
  static ControlPlane plane;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    // A control plane of its own: the chart installs the ScrapingPolicy CRD, which the shared one already has.
    plane = ControlPlane.start(c -> {
      for (String crd : List.of("monitoring.coreos.com_servicemonitors.yaml", "monitoring.coreos.com_prometheusrules.yaml")) {
        ControlPlane.register(c, upstream(c, crd));
      }
      for (String ns : List.of("shop", "outlet", "monitoring")) {
        c.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
      }
    });
    client = plane.admin();
  }

  @AfterAll
  static void stop() {
    if (plane != null) {
      plane.close();
    }
  }

  @Test
  void installUpgradeAndUninstallOnARealApiServer() {
    Map<String, Object> values = Map.of("watchNamespaces", List.of("shop", "outlet"),
        "serviceMonitor", Map.of("enabled", true), "prometheusRule", Map.of("enabled", true),
        "grafanaDashboard", Map.of("enabled", true, "namespace", "monitoring"));
    Release installed = new Helm(HelmChart.CHART).install()
        .withName(HelmChart.RELEASE)
        .withNamespace(HelmChart.NAMESPACE)
        .createNamespace()
        .withValuesFile(values(values))
        .withKubeConfigContents(plane.kubeconfig())
        .call();
    assertThat(installed.getStatus()).isEqualTo("deployed");

    HelmChart.Rendered rendered = HelmChart.template(values);
    assertThat(rendered.docs()).hasSizeGreaterThan(8);
    for (JsonNode doc : rendered.docs()) {
      assertThat(get(doc)).as("%s %s", doc.path("kind").asText(), doc.at("/metadata/name").asText()).isNotNull();
    }
    assertThat(deployment().getSpec().getReplicas()).isEqualTo(1);

    Map<String, Object> upgraded = Map.of("watchNamespaces", List.of("shop"), "replicaCount", 2);
    Release upgrade = new Helm(HelmChart.CHART).upgrade()
        .withName(HelmChart.RELEASE)
        .withNamespace(HelmChart.NAMESPACE)
        .withValuesFile(values(upgraded))
        .withKubeConfigContents(plane.kubeconfig())
        .call();
    assertThat(upgrade.getStatus()).isEqualTo("deployed");
    assertThat(upgrade.getRevision()).isEqualTo("2");
    assertThat(deployment().getSpec().getReplicas()).isEqualTo(2);
    HelmChart.Rendered second = HelmChart.template(upgraded);
    for (JsonNode doc : second.docs()) {
      assertThat(get(doc)).as("%s %s", doc.path("kind").asText(), doc.at("/metadata/name").asText()).isNotNull();
    }
    assertThat(second.find("PodDisruptionBudget", HelmChart.RELEASE)).isPresent();
    // What the first values rendered and the second do not is gone: the Role in "outlet", the monitoring objects.
    for (JsonNode doc : rendered.docs()) {
      boolean stillRendered = second.docs().stream().anyMatch(d -> d.path("kind").equals(doc.path("kind"))
          && d.at("/metadata/name").equals(doc.at("/metadata/name"))
          && d.at("/metadata/namespace").equals(doc.at("/metadata/namespace")));
      if (!stillRendered && !"CustomResourceDefinition".equals(doc.path("kind").asText())) {
        assertThat(get(doc)).as("%s %s removed by the upgrade", doc.path("kind").asText(),
            doc.at("/metadata/name").asText()).isNull();
      }
    }

    String uninstalled = Helm.uninstall(HelmChart.RELEASE)
        .withNamespace(HelmChart.NAMESPACE)
        .withKubeConfigContents(plane.kubeconfig())
        .call();
    assertThat(uninstalled).contains(HelmChart.RELEASE);
    assertThat(deployment()).isNull();
    assertThat(client.apiextensions().v1().customResourceDefinitions().withName(CRD).get())
        .as("the CRD stays after uninstall").isNotNull();
  }

  private static Deployment deployment() {
    return client.apps().deployments().inNamespace(HelmChart.NAMESPACE).withName(HelmChart.RELEASE).get();
  }

  /** The object a rendered manifest describes, as the server has it; null when absent. */
  private static GenericKubernetesResource get(JsonNode doc) {
    String apiVersion = doc.path("apiVersion").asText();
    String kind = doc.path("kind").asText();
    String name = doc.at("/metadata/name").asText();
    String namespace = doc.at("/metadata/namespace").asText(null);
    var resource = client.genericKubernetesResources(apiVersion, kind);
    return namespace == null || namespace.isEmpty() ? resource.withName(name).get()
        : resource.inNamespace(namespace).withName(name).get();
  }

  private static Path values(Map<String, Object> values) {
    try {
      Path file = Files.createDirectories(Path.of("target", "helm-work")).resolve("install-" + System.nanoTime() + ".yaml");
      HelmChart.YAML.writeValue(file.toFile(), values);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static CustomResourceDefinition upstream(KubernetesClient c, String file) {
    try (InputStream in = Files.newInputStream(MonitoringTest.UPSTREAM.resolve(file))) {
      return c.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
