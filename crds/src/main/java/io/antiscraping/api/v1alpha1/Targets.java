package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;

@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
public class Targets {

  @Default("IngressNginx")
  @JsonPropertyDescription("The data plane that enforces this policy. IngressNginx: annotations on the selected "
      + "Ingresses in the policy's namespace.")
  @Builder.Default
  private Provider provider = Provider.INGRESS_NGINX;

  @Required
  @JsonPropertyDescription("Label selector for the entrypoints (Ingresses) in the policy's namespace. "
      + "An empty selector selects every Ingress in the namespace.")
  private Selector selector;

  @Default("false")
  @JsonPropertyDescription("When a key the operator would write is already set on a target by someone else, the "
      + "operator reports Conflict and leaves the target alone. Set to true to take such keys over (the previous "
      + "values are then overwritten and removed on cleanup).")
  @Builder.Default
  private boolean overrideExisting = false;

  public enum Provider {
    @JsonProperty("IngressNginx")
    INGRESS_NGINX
  }
}
