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
public class SignalStatus {

  @JsonPropertyDescription("Signal name.")
  private String name;

  @JsonPropertyDescription("Last value of a scalar signal; for a per-client signal, the highest client value.")
  private Double value;

  @JsonPropertyDescription("For a per-client signal: how many clients had a value.")
  private Integer clients;

  @JsonPropertyDescription("For a per-client signal: label values that were not IP addresses or CIDRs and were ignored.")
  private Integer invalidClients;

  @JsonPropertyDescription("Why the last evaluation of this signal produced no value.")
  private String error;

  @JsonPropertyDescription("For a per-client signal: series beyond what the operator keeps of one answer (the "
      + "weakest values) that were left out; absent when none were.")
  private Integer clientsLeftOut;

  /** A signal status without left-out clients. */
  public SignalStatus(String name, Double value, Integer clients, Integer invalidClients, String error) {
    this(name, value, clients, invalidClients, error, null);
  }
}
