package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;

@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
@ValidationRule(value = "!has(self.paranoiaLevel) || (has(self.coreRuleSet) && self.coreRuleSet)",
    message = "waf.paranoiaLevel applies to the OWASP Core Rule Set: set waf.coreRuleSet to true")
@ValidationRule(value = "!(has(self.coreRuleSet) && self.coreRuleSet) || self.mode != 'Disabled'",
    message = "waf.coreRuleSet needs waf.mode DetectionOnly or On")
public class Waf {

  @Default("Disabled")
  @JsonPropertyDescription("ModSecurity rule engine: Disabled (SecRuleEngine Off), DetectionOnly (log matches, block "
      + "nothing) or Blocking (SecRuleEngine On). The words avoid YAML's On/Off booleans. On ingress-nginx, Blocking needs the modsecurity-snippet annotation, which the operator writes only when started "
      + "with --allow-snippet-annotations; otherwise status reports it as not enforced.")
  @Builder.Default
  private Mode mode = Mode.DISABLED;

  @Default("false")
  @JsonPropertyDescription("Load the OWASP Core Rule Set.")
  @Builder.Default
  private Boolean coreRuleSet = false;

  @Min(1)
  @Max(4)
  @JsonPropertyDescription("OWASP CRS paranoia level (1-4). Needs --allow-snippet-annotations on ingress-nginx.")
  private Integer paranoiaLevel;

  public enum Mode {
    @JsonProperty("Disabled")
    DISABLED,
    @JsonProperty("DetectionOnly")
    DETECTION_ONLY,
    @JsonProperty("Blocking")
    BLOCKING
  }
}
