package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;

@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TargetStatus {

  @JsonPropertyDescription("Kind of the data-plane object, e.g. Ingress.")
  private String kind;

  @JsonPropertyDescription("Name of the data-plane object in the policy's namespace.")
  private String name;

  @JsonPropertyDescription("Whether the level and bans in force are written to this object.")
  private Boolean enforced;

  @JsonPropertyDescription("Why not, or what is not enforceable there.")
  private String message;
}
