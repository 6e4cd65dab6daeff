package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;

@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
@ValidationRule(value = "has(self.above) != has(self.below)",
    message = "a condition needs exactly one of `above` or `below`")
public class WhenCondition {

  @Required
  @Pattern(Signal.NAME_PATTERN)
  @Size(max = Signal.NAME_MAX_LENGTH)
  @JsonPropertyDescription("Name of a scalar signal from spec.signals.")
  private String signal;

  @JsonPropertyDescription("Holds while the signal's value is strictly greater than this.")
  private Double above;

  @JsonPropertyDescription("Holds while the signal's value is strictly less than this.")
  private Double below;

  @JsonProperty("for")
  @Default("0s")
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @JsonPropertyDescription("How long the comparison must hold continuously before the condition holds (e.g. 2m).")
  @Builder.Default
  private String forDuration = "0s";
}
