package io.antiscraping.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.antiscraping.api.testing.CrdSchemaValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's policy reference names every field of the CRD, and nothing the CRD does not have. */
class ReadmeReferenceTest {

  static final Path README = Path.of("../README.md");

  @Test
  void everySpecFieldIsInThePolicyReference() throws IOException {
    String readme = Files.readString(README);
    int start = readme.indexOf("<!-- policy-reference:start -->");
    int end = readme.indexOf("<!-- policy-reference:end -->");
    assertThat(start).as("README.md needs the policy-reference markers").isPositive();
    String table = readme.substring(start, end);

    JsonNode spec = CrdSchemaValidator.read(CrdTest.GENERATED)
        .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
    List<String> fields = new ArrayList<>();
    collect(spec, "spec", fields);
    assertThat(fields).isNotEmpty().allSatisfy(f -> assertThat(table).as("README policy reference").contains("`" + f + "`"));

    List<String> documented = new ArrayList<>();
    var m = java.util.regex.Pattern.compile("^\\| `(spec\\.[^`]+)`", java.util.regex.Pattern.MULTILINE).matcher(table);
    while (m.find()) {
      documented.add(m.group(1));
    }
    assertThat(documented).as("fields the README documents but the CRD lacks").isNotEmpty().allSatisfy(d ->
        assertThat(fields).anySatisfy(f -> assertThat(f.equals(d) || f.startsWith(d + ".") || f.startsWith(d + "["))
            .as(d).isTrue()));
  }

  /** Leaf field paths, stopping at the selector's expressions and Secret references (documented as a whole). */
  private static void collect(JsonNode schema, String path, List<String> out) {
    schema.path("properties").fields().forEachRemaining(e -> {
      String p = path + "." + e.getKey();
      JsonNode s = e.getValue();
      JsonNode element = s.has("items") ? s.get("items") : s;
      boolean opaque = p.endsWith("Secret") || p.endsWith("matchExpressions") || p.endsWith("matchLabels");
      if (opaque || !element.has("properties")) {
        out.add(p);
      } else {
        collect(element, s.has("items") ? p + "[]" : p, out);
      }
    });
  }
}
