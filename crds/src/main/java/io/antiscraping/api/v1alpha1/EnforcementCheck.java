package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;

/**
 * Checks that the data plane applies what the operator writes: a per-client signal counts the requests the data plane
 * still serves (answered, not denied). A client inside a ban published at least {@code after} ago that is still served
 * means the writes are not taking effect (for example an ingress-nginx controller that refuses the Ingress without an
 * admission webhook: it keeps its previous configuration and says nothing to the writer).
 */
@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
public class EnforcementCheck {

  public static final String DEFAULT_AFTER = "1m";
  public static final int MAX_MIN_CLIENTS = 1000;

  @Required
  @Pattern(Signal.NAME_PATTERN)
  @Size(max = Signal.NAME_MAX_LENGTH)
  @JsonPropertyDescription("Name of a per-client signal from spec.signals: the rate of requests the data plane still "
      + "serves per client on the targets' routes, e.g. responses with status 2xx. A banned client must drop out of "
      + "it.")
  private String signal;

  @Default(DEFAULT_AFTER)
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @JsonPropertyDescription("How long after a ban is handed to the data plane it must show in the signal: the data "
      + "plane's sync time plus the signal's rate window.")
  @Builder.Default
  private String after = DEFAULT_AFTER;

  @Default("1")
  @Min(1)
  @Max(MAX_MIN_CLIENTS)
  @JsonPropertyDescription("Enforced turns False (reason NotTakingEffect) when at least this many distinct clients "
      + "inside such bans are still served.")
  @Builder.Default
  private Integer minClients = 1;
}
