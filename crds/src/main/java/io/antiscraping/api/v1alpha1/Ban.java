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
public class Ban {

  @JsonPropertyDescription("Banned address or prefix, in CIDR notation.")
  private String client;

  @JsonPropertyDescription("When the ban expires (RFC 3339).")
  private String until;

  @JsonPropertyDescription("The value that caused the ban, e.g. `client-rate=42.5 > 20 for 1m`.")
  private String reason;

  @JsonPropertyDescription("For a prefix ban: the prefix's active members when it was banned.")
  private Integer members;

  @JsonPropertyDescription("For a prefix ban: the sum of its members' values when it was banned.")
  private Double sum;

  @JsonPropertyDescription("For a prefix ban: the share (0 to 1) of its active members that were suspicious.")
  private Double suspiciousShare;

  /** A ban of one client or a ban without prefix evidence. */
  public Ban(String client, String until, String reason) {
    this(client, until, reason, null, null, null);
  }
}
