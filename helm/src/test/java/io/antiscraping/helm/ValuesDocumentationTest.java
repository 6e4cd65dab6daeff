package io.antiscraping.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every value is described in values.schema.json, and the values table of docs/operations/helm.md ("Chart values") is
 * generated from the schema and the defaults in values.yaml. Refresh it with {@code ./mvnw -pl helm test
 * -Dtest=ValuesDocumentationTest -Ddocs.update=true}.
 */
class ValuesDocumentationTest {

  static final Path SECTION = Path.of("../docs/operations/helm.md");
  static final Path SCHEMA = HelmChart.CHART.resolve("values.schema.json");
  static final String START = "<!-- values-table:start";
  static final String END = "<!-- values-table:end -->";

  @Test
  void everyValueHasADescription() throws IOException {
    List<String> undocumented = new ArrayList<>();
    walk(schema(), "", (path, node) -> {
      if (!node.hasNonNull("description") || node.get("description").asText().isBlank()) {
        undocumented.add(path);
      }
    });
    assertThat(undocumented).isEmpty();
  }

  @Test
  void everyDefaultValueIsInTheSchema() throws IOException {
    List<String> unknown = new ArrayList<>();
    checkKnown(HelmChart.defaultValues(), schema(), "", unknown);
    assertThat(unknown).isEmpty();
  }

  @Test
  void docsValuesTableIsCurrent() throws IOException {
    String section = Files.readString(SECTION);
    int start = section.indexOf(START);
    int end = section.indexOf(END);
    assertThat(start).as("%s has the values-table markers", SECTION).isNotNegative();
    assertThat(end).isGreaterThan(start);
    int bodyStart = section.indexOf('\n', start) + 1;
    String expected = table();
    if (Boolean.getBoolean("docs.update")) {
      section = section.substring(0, bodyStart) + expected + section.substring(end);
      Files.writeString(SECTION, section);
      end = section.indexOf(END);
    }
    assertThat(section.substring(bodyStart, end))
        .as("the values table of %s is stale: run ./mvnw -pl helm test -Dtest=ValuesDocumentationTest "
            + "-Ddocs.update=true", SECTION)
        .isEqualTo(expected);
  }

  static String table() throws IOException {
    JsonNode defaults = HelmChart.defaultValues();
    StringBuilder out = new StringBuilder("| Key | Default | Description |\n|---|---|---|\n");
    walk(schema(), "", (path, node) -> {
      if (path.equals("global")) {
        return;
      }
      JsonNode value = defaults.at("/" + path.replace('.', '/'));
      String shown = value.isMissingNode() ? "" : "`" + HelmChart.JSON.valueToTree(value).toString() + "`";
      out.append("| `").append(path).append("` | ").append(shown.replace("|", "\\|")).append(" | ")
          .append(node.path("description").asText().replace("|", "\\|")).append(" |\n");
    });
    return out.toString();
  }

  private static JsonNode schema() throws IOException {
    return HelmChart.JSON.readTree(SCHEMA.toFile());
  }

  interface Visitor {
    void leaf(String path, JsonNode node);
  }

  /** Visits the schema's leaves: properties without properties of their own. */
  static void walk(JsonNode schema, String prefix, Visitor visitor) {
    schema.path("properties").fields().forEachRemaining(e -> {
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue().has("properties")) {
        walk(e.getValue(), path, visitor);
      } else {
        visitor.leaf(path, e.getValue());
      }
    });
  }

  private static void checkKnown(JsonNode values, JsonNode schema, String prefix, List<String> unknown) {
    if (!values.isObject() || !schema.has("properties")) {
      return;
    }
    values.fields().forEachRemaining(e -> {
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      JsonNode prop = schema.path("properties").path(e.getKey());
      if (prop.isMissingNode()) {
        unknown.add(path);
      } else {
        checkKnown(e.getValue(), prop, path, unknown);
      }
    });
  }
}
