package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;

@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
public class Ban {

  @JsonPropertyDescription("Banned address or prefix, in CIDR notation.")
  private String client;

  @JsonPropertyDescription("When the ban expires (RFC 3339).")
  private String until;

  @JsonPropertyDescription("The value that caused the ban, e.g. `client-rate=42.5 > 20 for 1m`.")
  private String reason;
}
