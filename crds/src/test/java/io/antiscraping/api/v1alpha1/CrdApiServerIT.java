package io.antiscraping.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.antiscraping.api.schema.CrdSchema;
import io.antiscraping.testing.ControlPlane;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated CRD on a real kube-apiserver: it is accepted (so every CEL rule is within the server's cost
 * budget), every {@code invalid-*.yaml} fixture is rejected with the message on its {@code # api-server:} line
 * ({@code <field> | <message>}: a cause of that field carries the message),
 * every {@code valid-*.yaml} fixture and every example policy is accepted. Objects are created with server-side
 * dry run and strict field validation (as {@code kubectl apply} does), so nothing is stored.
 */
class CrdApiServerIT {

  static KubernetesClient client;
  static String namespace;

  @BeforeAll
  static void server() {
    client = ControlPlane.shared().admin();
    namespace = "fixtures";
    if (client.namespaces().withName(namespace).get() == null) {
      client.resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
    }
  }

  @Test
  void theGeneratedCrdIsEstablishedAndServedWithItsStatusSubresource() {
    CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions()
        .withName("scrapingpolicies.antiscraping.io").get();
    assertThat(crd.getStatus().getConditions())
        .anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Established=True"))
        .noneSatisfy(c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("NonStructuralSchema=True"));
    assertThat(client.getApiResources("antiscraping.io/v1alpha1").getResources())
        .extracting(r -> r.getName()).contains("scrapingpolicies", "scrapingpolicies/status");
  }

  @ParameterizedTest
  @MethodSource("io.antiscraping.api.v1alpha1.FixturesTest#valid")
  void validFixtureIsAccepted(Path file) {
    assertThat(create(PolicyDocs.read(file).get(0))).as(file.toString()).isNotNull();
  }

  @ParameterizedTest
  @MethodSource("io.antiscraping.api.v1alpha1.FixturesTest#examples")
  void examplePolicyIsAccepted(Path file) {
    for (GenericKubernetesResource policy : PolicyDocs.read(file)) {
      if ("ScrapingPolicy".equals(policy.getKind())) {
        assertThat(create(policy)).as(file.toString()).isNotNull();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("io.antiscraping.api.v1alpha1.FixturesTest#invalid")
  void invalidFixtureIsRejectedWithItsMessage(Path file) throws IOException {
    KubernetesClientException e = catchThrowableOfType(KubernetesClientException.class,
        () -> create(PolicyDocs.read(file).get(0)));
    assertThat(e).as("%s must be rejected", file).isNotNull();
    Status status = e.getStatus();
    String message = status == null ? e.getMessage() : status.getMessage();
    String expected = Files.readAllLines(file).stream().filter(l -> l.startsWith("# api-server: ")).findFirst()
        .map(l -> l.substring("# api-server: ".length()).trim())
        .orElseThrow(() -> new AssertionError(file + " has no '# api-server: [<field> | ]<message>' line; the"
            + " server said: " + message));
    // 422 Invalid for schema and CEL violations; 400 for an unknown field under strict field validation.
    assertThat(e.getCode()).as("%s: %s", file, message).isIn(400, 422);
    int bar = expected.indexOf(" | ");
    if (bar < 0) {
      assertThat(message).as(file.toString()).contains(expected);
    } else {
      String field = expected.substring(0, bar);
      String text = expected.substring(bar + 3);
      assertThat(status.getDetails().getCauses()).as("%s: %s", file, message)
          .anySatisfy(c -> {
            assertThat(c.getField()).isEqualTo(field);
            assertThat(c.getMessage()).contains(text);
          });
    }
  }

  private static GenericKubernetesResource create(GenericKubernetesResource policy) {
    policy.getMetadata().setNamespace(namespace);
    return client.resource(policy).dryRun().fieldValidation(FieldValidateable.Validation.STRICT).create();
  }

  /** The documents of a YAML file as generic resources (so that wrong types reach the server as written). */
  static final class PolicyDocs {
    static List<GenericKubernetesResource> read(Path file) {
      return CrdSchema.readAll(file).stream()
          .map(d -> client.getKubernetesSerialization().convertValue(d, GenericKubernetesResource.class))
          .toList();
    }
  }
}
