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
      + "Ingresses in the policy's namespace. EnvoyGateway: a BackendTrafficPolicy and a SecurityPolicy owned by the "
      + "policy, attached to the selected Gateway API HTTPRoutes. Traefik: a Middleware named <policy>-ratelimit owned "
      + "by the policy, which IngressRoutes or Ingresses reference.")
  @Builder.Default
  private Provider provider = Provider.INGRESS_NGINX;

  @Required
  @JsonPropertyDescription("Label selector for the entrypoints in the policy's namespace: Ingresses (IngressNginx) or "
      + "HTTPRoutes (EnvoyGateway). An empty selector selects every one in the namespace. Traefik does not use it: "
      + "routers opt in by referencing the policy's Middleware.")
  private Selector selector;

  @Default("false")
  @JsonPropertyDescription("When a key the operator would write is already set on a target by someone else, the "
      + "operator reports Conflict and leaves the target alone. Set to true to take such keys over (the previous "
      + "values are then overwritten and removed on cleanup), which takes effect only on an object an admin labelled "
      + "antiscraping.io/allow-override: \"true\" (the Ingress; the operator's own Envoy Gateway or Traefik object), "
      + "and never for ingress-nginx's whitelist-source-range, denylist-source-range and modsecurity-snippet.")
  @Builder.Default
  private boolean overrideExisting = false;

  public enum Provider {
    @JsonProperty("IngressNginx")
    INGRESS_NGINX("IngressNginx"),
    @JsonProperty("EnvoyGateway")
    ENVOY_GATEWAY("EnvoyGateway"),
    @JsonProperty("Traefik")
    TRAEFIK("Traefik");

    private final String wireName;

    Provider(String wireName) {
      this.wireName = wireName;
    }

    /** The provider as spelled in {@code spec.targets.provider} (the constant's {@code @JsonProperty}). */
    public String wireName() {
      return wireName;
    }
  }
}
