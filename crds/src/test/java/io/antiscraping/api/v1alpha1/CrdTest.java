package io.antiscraping.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.antiscraping.api.schema.CrdSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed CRD is what the Java model generates, and it is complete enough for users. */
class CrdTest {

  static final String FILE = "scrapingpolicies.antiscraping.io-v1.yml";
  static final Path GENERATED = Path.of("target/classes/META-INF/fabric8", FILE);
  static final Path COMMITTED = Path.of(FILE);

  @Test
  void committedCrdMatchesTheModel() throws IOException {
    String generated = Files.readString(GENERATED);
    if (Boolean.getBoolean("crds.update")) {
      Files.writeString(COMMITTED, generated);
    }
    assertThat(COMMITTED).as("crds/%s is stale: run ./mvnw -pl crds verify -Dcrds.update=true and commit it", FILE)
        .exists();
    assertThat(Files.readString(COMMITTED))
        .as("crds/%s is stale: run ./mvnw -pl crds verify -Dcrds.update=true and commit it", FILE)
        .isEqualTo(generated);
  }

  @Test
  void everySpecAndStatusFieldHasADescription() {
    JsonNode schema = CrdSchema.read(GENERATED).at("/spec/versions/0/schema/openAPIV3Schema");
    List<String> undocumented = new ArrayList<>();
    collectUndocumented(schema.at("/properties/spec"), "spec", undocumented);
    collectUndocumented(schema.at("/properties/status"), "status", undocumented);
    assertThat(undocumented).isEmpty();
  }

  @Test
  void everyCelRuleCompiles() {
    assertThat(CrdSchema.strict(GENERATED).compileErrors()).isEmpty();
  }

  @Test
  void printerColumnsShowLevelBannedTargetsReadyAge() {
    JsonNode columns = CrdSchema.read(GENERATED).at("/spec/versions/0/additionalPrinterColumns");
    List<String> names = new ArrayList<>();
    columns.forEach(c -> names.add(c.path("name").asText()));
    assertThat(names).containsExactlyInAnyOrder("Level", "Banned", "Targets", "Ready", "Age");
    JsonNode crd = CrdSchema.read(GENERATED);
    assertThat(crd.at("/spec/versions/0/subresources/status").isObject()).isTrue();
    assertThat(crd.at("/spec/scope").asText()).isEqualTo("Namespaced");
  }

  private static void collectUndocumented(JsonNode schema, String path, List<String> out) {
    schema.path("properties").fields().forEachRemaining(e -> {
      String p = path + "." + e.getKey();
      if (!e.getValue().hasNonNull("description")) {
        out.add(p);
      }
      collectUndocumented(e.getValue(), p, out);
    });
    if (schema.has("items")) {
      collectUndocumented(schema.get("items"), path + "[]", out);
    }
  }
}
