package io.antiscraping.api.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import java.util.concurrent.TimeUnit;
import io.antiscraping.testing.ControlPlane;
import org.junit.jupiter.api.Test;

/**
 * What the tests rely on from the control plane: the pinned version is what the server reports, and
 * kube-controller-manager runs (garbage collection through ownerReferences, namespace deletion), which the API
 * server alone does not do.
 */
class ControlPlaneIT {

  final ControlPlane plane = ControlPlane.shared();
  final KubernetesClient client = plane.admin();

  @Test
  void theServerReportsThePinnedVersion() {
    VersionInfo version = client.getKubernetesVersion();
    assertThat(version.getGitVersion()).isEqualTo("v" + plane.versions().kubernetes());
    assertThat(version.getMajor()).isEqualTo("1");
    assertThat(plane.versions().kubernetes()).startsWith("1." + version.getMinor() + ".");
  }

  @Test
  void deletingAnOwnerGarbageCollectsWhatItOwns() {
    String ns = namespace("gc");
    ConfigMap owner = client.resource(new ConfigMapBuilder().withNewMetadata().withName("owner").withNamespace(ns)
        .endMetadata().build()).create();
    client.resource(new ConfigMapBuilder().withNewMetadata().withName("owned").withNamespace(ns)
        .addNewOwnerReference().withApiVersion("v1").withKind("ConfigMap").withName("owner")
        .withUid(owner.getMetadata().getUid()).endOwnerReference().endMetadata().build()).create();

    client.configMaps().inNamespace(ns).withName("owner").delete();

    client.configMaps().inNamespace(ns).withName("owned").waitUntilCondition(c -> c == null, 60, TimeUnit.SECONDS);
    assertThat(client.configMaps().inNamespace(ns).withName("owned").get()).isNull();
  }

  @Test
  void aDeletedNamespaceIsEmptiedAndGoes() {
    String ns = namespace("deleted");
    client.resource(new ConfigMapBuilder().withNewMetadata().withName("content").withNamespace(ns).endMetadata()
        .build()).create();

    client.namespaces().withName(ns).delete();

    client.namespaces().withName(ns).waitUntilCondition(n -> n == null, 60, TimeUnit.SECONDS);
    assertThat(client.configMaps().inNamespace(ns).withName("content").get()).isNull();
  }

  private String namespace(String base) {
    String ns = base + "-" + System.nanoTime();
    client.resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    return ns;
  }
}
