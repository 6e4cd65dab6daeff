package io.antiscraping.operator.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.testing.ControlPlane;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.operator.validation.PolicyValidator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code validate} gives the verdict of the real API server (server-side dry run with strict field validation, as
 * {@code kubectl apply} sends it) followed by the operator's validator on what the server would store, for every
 * CRD fixture and every example policy.
 */
class ValidateVerdictIT {

  static final Path FIXTURES = Path.of("../crds/src/test/resources/fixtures");
  static final Path EXAMPLES = Path.of("../examples");
  static KubernetesClient client;
  static final String NAMESPACE = "validate-verdicts";

  @BeforeAll
  static void server() {
    client = ControlPlane.shared().admin();
    if (client.namespaces().withName(NAMESPACE).get() == null) {
      client.resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
    }
  }

  static Stream<Path> files() throws IOException {
    List<Path> out;
    try (Stream<Path> f = Files.list(FIXTURES); Stream<Path> e = Files.walk(EXAMPLES)) {
      out = Stream.concat(
          f.filter(p -> p.getFileName().toString().matches("(valid|invalid)-.*\\.yaml")),
          e.filter(p -> p.toString().endsWith(".yaml"))).sorted().toList();
    }
    return out.stream();
  }

  @Test
  void everyFixtureAndExampleIsCovered() throws IOException {
    assertThat(files().filter(p -> p.getFileName().toString().startsWith("invalid-"))).hasSizeGreaterThan(10);
    assertThat(files().filter(p -> p.getFileName().toString().startsWith("valid-"))).hasSizeGreaterThan(3);
    assertThat(files().filter(p -> p.startsWith(EXAMPLES))).isNotEmpty()
        .contains(EXAMPLES.resolve("storefront-policy.yaml"), EXAMPLES.resolve("lab/storefront-lab-policy.yaml"));
  }

  @ParameterizedTest
  @MethodSource("files")
  void sameVerdictAsTheApiServerAndTheOperator(Path file) throws Exception {
    boolean fileValid = true;
    for (YamlDocuments.Document doc : YamlDocuments.parse(file.toString(), Files.readString(file))) {
      if (!PolicyCheck.isPolicy(doc.node())) {
        continue;
      }
      PolicyCheck.Result offline = PolicyCheck.check(doc, false, false);
      GenericKubernetesResource object = client.getKubernetesSerialization()
          .convertValue(doc.node(), GenericKubernetesResource.class);
      object.getMetadata().setNamespace(NAMESPACE);
      GenericKubernetesResource stored = null;
      String refusal = null;
      try {
        stored = client.resource(object).dryRun().fieldValidation(FieldValidateable.Validation.STRICT).create();
      } catch (KubernetesClientException e) {
        assertThat(e.getCode()).as("%s: %s", file, e.getMessage()).isIn(400, 422);
        refusal = e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage();
      }
      assertThat(offline.apiServerAccepts())
          .as("%s: API server %s; validate said %s", file, refusal == null ? "accepts" : "refuses: " + refusal,
              offline.findings())
          .isEqualTo(refusal == null);
      boolean expected = stored != null && PolicyValidator.validate(PolicyCheck.MAPPER.convertValue(
          stored.getAdditionalProperties().get("spec"), ScrapingPolicySpec.class)).isEmpty();
      assertThat(offline.valid()).as("%s: validate said %s", file, offline.findings()).isEqualTo(expected);
      fileValid &= expected;
    }
    CliRun.Result r = CliRun.run("validate", file.toString());
    assertThat(r.code()).as(r.all()).isEqualTo(fileValid ? 0 : 1);
  }
}
