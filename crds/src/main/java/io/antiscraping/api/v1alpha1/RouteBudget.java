package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;

/**
 * A cap on the protected routes (the policy's targets) for everyone but allowlisted and known-good clients. A budget
 * of zero is a lockdown.
 */
@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
public class RouteBudget {

  @Required
  @Min(0)
  @Max(1000000)
  @JsonPropertyDescription("Total requests per second allowed to all non-exempt clients together, where the data "
      + "plane has a shared limit (Envoy Gateway: a local rate limit without a client selector, per replica; "
      + "Traefik: a rateLimit keyed on a header Traefik sets itself, per replica and router). 0 is a lockdown: only "
      + "allowlisted and known-good clients reach the protected routes.")
  private Integer requestsPerSecond;

  @Min(1)
  @Max(6000000)
  @JsonPropertyDescription("Where the data plane has no shared limit (ingress-nginx), the budget becomes this "
      + "strict per-address limit for every non-exempt client (limit-rpm with limit-allowlist): it bounds the "
      + "harvest per address, not in total. Required on ingress-nginx for a budget above 0.")
  private Integer perClientRequestsPerMinute;
}
