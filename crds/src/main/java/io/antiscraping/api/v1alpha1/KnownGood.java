package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Required;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;

/**
 * Clients with an established good history, named by a per-client signal. They are exempt from prefix bans and
 * route budgets (never from their own per-client bans).
 */
@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
public class KnownGood {

  public static final int DEFAULT_MAX_CLIENTS = 1000;
  public static final int MAX_CLIENTS = 5000;

  @Required
  @Pattern(Signal.NAME_PATTERN)
  @Size(max = Signal.NAME_MAX_LENGTH)
  @JsonPropertyDescription("Name of a per-client signal from spec.signals whose clients have an established good "
      + "history, e.g. catalogue browsing in each of the last minutes with few sensitive reads per product view. "
      + "Label values go through the same validation as every client key.")
  private String signal;

  @Default("0")
  @JsonPropertyDescription("A client whose value is strictly above this is known-good.")
  @Builder.Default
  private Double above = 0.0;

  @Default("1000")
  @Min(1)
  @Max(MAX_CLIENTS)
  @JsonPropertyDescription("Upper bound on the known-good clients exempted from route budgets; the highest values "
      + "are kept, the others are counted (status.knownGoodLeftOut). Every known-good client still protects its "
      + "prefix from prefix bans.")
  @Builder.Default
  private Integer maxClients = DEFAULT_MAX_CLIENTS;
}
