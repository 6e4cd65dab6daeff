package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;

/** A Kubernetes label selector (same semantics as metav1.LabelSelector). */
@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class Selector {

  @JsonPropertyDescription("Labels that must all be present with exactly these values.")
  @Builder.Default
  private Map<String, String> matchLabels = new LinkedHashMap<>();

  @Size(max = 16)
  @JsonPropertyDescription("Set-based requirements that must all hold.")
  @Builder.Default
  private List<Requirement> matchExpressions = new ArrayList<>();

  @Data
  @NoArgsConstructor
  @AllArgsConstructor
  @Builder(toBuilder = true)
  @ValidationRule(value = "(self.operator in ['In', 'NotIn']) == (has(self.values) && size(self.values) > 0)",
      message = "matchExpressions: In and NotIn need values; Exists and DoesNotExist take none")
  public static class Requirement {
    @Required
    @Size(min = 1, max = 317)
    @JsonPropertyDescription("Label key.")
    private String key;

    @Required
    @JsonPropertyDescription("In, NotIn, Exists or DoesNotExist.")
    private Operator operator;

    @Size(max = 64)
    @JsonPropertyDescription("Values for In and NotIn; empty for Exists and DoesNotExist.")
    @Builder.Default
    private List<String> values = new ArrayList<>();
  }

  public enum Operator {
    @JsonProperty("In")
    IN,
    @JsonProperty("NotIn")
    NOT_IN,
    @JsonProperty("Exists")
    EXISTS,
    @JsonProperty("DoesNotExist")
    DOES_NOT_EXIST
  }

  /** Whether a set of labels satisfies this selector. An empty selector matches everything. */
  public boolean matches(Map<String, String> labels) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    if (matchLabels != null) {
      for (Map.Entry<String, String> e : matchLabels.entrySet()) {
        if (!e.getValue().equals(l.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (matchExpressions != null) {
      for (Requirement r : matchExpressions) {
        String v = l.get(r.getKey());
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        boolean ok = switch (r.getOperator()) {
          case IN -> v != null && values.contains(v);
          case NOT_IN -> v == null || !values.contains(v);
          case EXISTS -> v != null;
          case DOES_NOT_EXIST -> v == null;
        };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }
}
