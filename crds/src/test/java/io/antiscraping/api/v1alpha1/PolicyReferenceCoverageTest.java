package io.antiscraping.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.antiscraping.api.schema.CrdSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The policy reference (docs/reference/policy.md) documents every field of the CRD the model generates, and
 * nothing the CRD does not have. Independent of the generator: the fields are walked here, from the CRD of the
 * build, and looked up in the page as rows.
 */
class PolicyReferenceCoverageTest {

  static final Pattern ROW = Pattern.compile("^\\| `((?:spec|status)\\.[^`]+)` \\|", Pattern.MULTILINE);

  @Test
  void everySpecAndStatusFieldHasARowAndEveryRowIsAField() throws IOException {
    String page = Files.readString(PolicyReferencePage.PAGE);
    JsonNode schema = CrdSchema.read(CrdTest.GENERATED).at("/spec/versions/0/schema/openAPIV3Schema");
    List<String> fields = new ArrayList<>();
    collect(schema.at("/properties/spec"), "spec", fields);
    collect(schema.at("/properties/status"), "status", fields);

    int rulesStart = page.indexOf("\n## Validation rules");
    assertThat(rulesStart).as("docs/reference/policy.md has its field tables, then the validation rules").isPositive();
    List<String> documented = new ArrayList<>();
    Matcher m = ROW.matcher(page.substring(0, rulesStart));
    while (m.find()) {
      documented.add(m.group(1).replace("\\|", "|"));
    }

    assertThat(fields).as("CRD fields").isNotEmpty().contains("spec.levels[].when[].above",
        "spec.targets.selector.matchExpressions[].operator", "spec.prometheus.bearerTokenSecret.key",
        "status.memory.recommendations[].level");
    assertThat(documented).as("fields docs/reference/policy.md lacks (run %s)", PolicyReferencePage.REFRESH)
        .containsAll(fields);
    assertThat(fields).as("fields docs/reference/policy.md documents but the CRD lacks").containsAll(documented);
    assertThat(documented).as("each field once").doesNotHaveDuplicates();
  }

  @Test
  void everyValidationMessageIsInThePage() throws IOException {
    String page = Files.readString(PolicyReferencePage.PAGE);
    List<String> messages = new ArrayList<>();
    collectMessages(CrdSchema.read(CrdTest.GENERATED).at("/spec/versions/0/schema/openAPIV3Schema"),
        messages);
    assertThat(messages).isNotEmpty().allSatisfy(message ->
        assertThat(page).as("docs/reference/policy.md").contains(PolicyReferencePage.text(message)));
  }

  /** Every property, objects and lists of objects included, as {@code a.b}, {@code a.list[].c}. */
  private static void collect(JsonNode schema, String path, List<String> out) {
    schema.path("properties").fields().forEachRemaining(e -> {
      String p = path + "." + e.getKey();
      out.add(p);
      JsonNode s = e.getValue();
      if (s.has("items")) {
        collect(s.get("items"), p + "[]", out);
      } else {
        collect(s, p, out);
      }
    });
  }

  private static void collectMessages(JsonNode schema, List<String> out) {
    schema.path("x-kubernetes-validations").forEach(v -> out.add(v.path("message").asText()));
    schema.path("properties").forEach(p -> collectMessages(p, out));
    if (schema.has("items")) {
      collectMessages(schema.get("items"), out);
    }
  }
}
