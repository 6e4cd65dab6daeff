package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;

/**
 * Per-client limits. On ingress-nginx and Envoy Gateway local limits they apply per data-plane replica,
 * never globally.
 */
@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
public class RateLimit {

  @Min(1)
  @Max(100000)
  @JsonPropertyDescription("Requests per second allowed from one client address (per data-plane replica).")
  private Integer requestsPerSecond;

  @Min(1)
  @Max(6000000)
  @JsonPropertyDescription("Requests per minute allowed from one client address (per data-plane replica).")
  private Integer requestsPerMinute;

  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Burst size as a multiple of the rate (ingress-nginx limit-burst-multiplier; its default is 5).")
  private Integer burstMultiplier;

  @Min(1)
  @Max(100000)
  @JsonPropertyDescription("Concurrent connections allowed from one client address (per data-plane replica).")
  private Integer connections;
}
