package io.antiscraping.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.antiscraping.api.schema.CrdSchema;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * docs/reference/policy.md is what {@link PolicyReferencePage} makes of the committed CRD. Refresh it with
 * {@code ./mvnw -pl crds test -Dtest=PolicyReferencePageTest -Dreference.update=true} (with {@code -Dcrds.update=true}
 * in the same run, from the CRD the model generates, which that run commits).
 */
class PolicyReferencePageTest {

  static final String STALE = "docs/reference/policy.md is stale: run " + PolicyReferencePage.REFRESH
      + " and commit it";

  @Test
  void committedPageIsGeneratedFromTheCommittedCrd() throws IOException {
    JsonNode crd = CrdSchema.read(Boolean.getBoolean("crds.update") ? CrdTest.GENERATED : CrdTest.COMMITTED);
    String expected = PolicyReferencePage.render(crd);
    if (Boolean.getBoolean("reference.update")) {
      Files.createDirectories(PolicyReferencePage.PAGE.getParent());
      Files.writeString(PolicyReferencePage.PAGE, expected);
    }
    assertThat(PolicyReferencePage.PAGE).as(STALE).exists();
    assertThat(Files.readString(PolicyReferencePage.PAGE)).as(STALE).isEqualTo(expected);
  }

  @Test
  void everyKindOfBoundIsRendered() throws IOException {
    JsonNode crd = CrdSchema.YAML.readTree("""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        spec:
          group: example.io
          names: {kind: Thing, shortNames: [th]}
          scope: Namespaced
          versions:
            - name: v1
              additionalPrinterColumns:
                - {name: Level, type: string, jsonPath: .status.level}
              schema:
                openAPIV3Schema:
                  properties:
                    spec:
                      required: [mode]
                      x-kubernetes-validations:
                        - {message: "`a` needs b", rule: "has(self.a) || !has(self.b)"}
                      properties:
                        mode:
                          type: string
                          default: Fast
                          enum: [Fast, Slow]
                          description: "How <it> runs: *fast* or `a|b`."
                        every:
                          type: string
                          default: "10s"
                          maxLength: 32
                          pattern: "^([0-9]+(s|m))+$"
                          description: A duration.
                        share:
                          type: number
                          default: 0.80
                          minimum: 0.0
                          maximum: 1.0
                          description: A share.
                        names:
                          type: array
                          maxItems: 8
                          items: {type: string, minLength: 1, maxLength: 64}
                          description: Names.
                        labels:
                          type: object
                          additionalProperties: {type: string}
                          description: Labels.
                        rules:
                          type: array
                          minItems: 1
                          description: Rules.
                          items:
                            type: object
                            required: [name]
                            x-kubernetes-validations:
                              - {message: one of x or y, rule: "has(self.x) != has(self.y)"}
                            properties:
                              name: {type: string, description: Rule name.}
                              x: {type: integer, minimum: 1, description: X.}
                    status:
                      properties:
                        level: {type: string, description: The level.}
        """);

    String page = PolicyReferencePage.render(crd);

    assertThat(page).contains("`apiVersion: example.io/v1`, `kind: Thing` (short names `th`), namespaced.");
    assertThat(page).contains(
        "| `spec.mode` | string | `Fast` | required; one of `Fast`, `Slow` | How &lt;it&gt; runs: \\*fast\\* or `a\\|b`. |\n",
        "| `spec.every` | string | `10s` | length at most 32; pattern `^([0-9]+(s\\|m))+$` | A duration. |\n",
        "| `spec.share` | number | `0.8` | 0 to 1 | A share. |\n",
        "| `spec.names` | []string |  | items: at most 8; each: length 1 to 64 | Names. |\n",
        "| `spec.labels` | map[string]string |  |  | Labels. |\n",
        "| `spec.rules` | []object |  | items: at least 1 | Rules. |\n",
        "| `spec.rules[].name` | string |  | required | Rule name. |\n",
        "| `spec.rules[].x` | integer |  | at least 1 | X. |\n",
        "| `status.level` | string |  |  | The level. |\n",
        "| `spec` | `a` needs b | `has(self.a) \\|\\| !has(self.b)` |\n",
        "| `spec.rules[]` | one of x or y | `has(self.x) != has(self.y)` |\n",
        "| Level | string | `.status.level` |\n");
  }
}
