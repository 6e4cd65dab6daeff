package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;

@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
public class Signal {

  public static final String NAME_PATTERN = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
  /**
   * What {@link #NAME_PATTERN} allows, stated as maxLength too: the API server's CEL cost estimator reads
   * maxLength, not patterns, and without it the rules comparing names exceed the cost budget.
   */
  public static final int NAME_MAX_LENGTH = 63;

  @Required
  @Pattern(NAME_PATTERN)
  @Size(max = Signal.NAME_MAX_LENGTH)
  @JsonPropertyDescription("Name the levels and offenders refer to (lowercase letters, digits and dashes).")
  private String name;

  @Required
  @Size(min = 1, max = 4096)
  @JsonPropertyDescription("PromQL instant query. A scalar signal must return a scalar or a single-element vector; "
      + "a per-client signal a vector with one element per client.")
  private String query;

  @JsonPropertyDescription("Makes this a per-client signal: one value per value of the given label.")
  private PerClient perClient;

  @Data
  @NoArgsConstructor
  @AllArgsConstructor
  @Builder(toBuilder = true)
  public static class PerClient {
    @Required
    @Pattern("^[a-zA-Z_][a-zA-Z0-9_]{0,127}$")
    @JsonPropertyDescription("The label whose value identifies the client: an IPv4/IPv6 address or CIDR. Values that "
        + "are not are ignored (and counted), since labels may come from attacker-controlled headers.")
    private String label;
  }
}
