package io.antiscraping.lab.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: {@code renderer/in-X.yaml} (a List of Ingresses) renders to {@code renderer/out-X.conf}. Run with
 * {@code -Dlab.updateGolden=true} to rewrite the expected files after an intended change, and review the diff.
 */
class NginxConfigRendererTest {

  static final Path DIR = Path.of("src/test/resources/renderer");
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** Settings with fixed paths, so the golden files do not depend on the machine. */
  static NginxSettings settings(Path prefix) {
    return new NginxSettings(prefix, 18080, prefix.resolve("logs/access.log"), Map.of("storefront", 18081),
        List.of("127.0.0.0/8"), prefix.resolve("modsecurity.conf"),
        prefix.resolve("owasp-modsecurity-crs/nginx-modsecurity.conf"), NginxSettings.DEBIAN_MODSECURITY_MODULE);
  }

  static Stream<String> cases() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("in-") && n.endsWith(".yaml"))
          .map(n -> n.substring(3, n.length() - 5)).sorted().toList().stream();
    }
  }

  static List<Ingress> ingresses(String name) throws IOException {
    List<Ingress> out = new ArrayList<>();
    for (HasMetadata item : items(name)) {
      if (item instanceof Ingress i) {
        out.add(i);
      }
    }
    return out;
  }

  private static List<HasMetadata> items(String name) throws IOException {
    return SERIALIZATION.unmarshal(Files.readString(DIR.resolve("in-" + name + ".yaml")), KubernetesList.class)
        .getItems();
  }

  /**
   * The case's controller: the lab's (the operator's requirements), or, when the case holds the controller's
   * ConfigMap, the controller's defaults with that ConfigMap.
   */
  static NginxSettings settings(String name, Path prefix) throws IOException {
    NginxSettings settings = settings(prefix);
    for (HasMetadata item : items(name)) {
      if (item instanceof ConfigMap cm) {
        return settings.withController(ControllerSettings.fromConfigMap(cm.getData(),
            ControllerSettings.controllerDefaults()));
      }
    }
    return settings;
  }

  @ParameterizedTest
  @MethodSource("cases")
  void rendersLikeTheGoldenFile(String name) throws IOException {
    String actual = NginxConfigRenderer.render(ingresses(name), settings(name, Path.of("/lab/prefix")));
    Path golden = DIR.resolve("out-" + name + ".conf");
    if (Boolean.getBoolean("lab.updateGolden")) {
      Files.writeString(golden, actual);
    }
    assertThat(actual).isEqualTo(Files.readString(golden));
  }

  @Test
  void orderOfIngressesDoesNotMatter() throws IOException {
    List<Ingress> list = ingresses("two-ingresses");
    String a = NginxConfigRenderer.render(list, settings(Path.of("/p")));
    Collections.reverse(list);
    assertThat(NginxConfigRenderer.render(list, settings(Path.of("/p")))).isEqualTo(a);
  }

  @Test
  void everyCaseHasAGoldenFile() throws IOException {
    assertThat(cases()).hasSizeGreaterThanOrEqualTo(4)
        .allSatisfy(n -> assertThat(DIR.resolve("out-" + n + ".conf")).exists());
  }
}
