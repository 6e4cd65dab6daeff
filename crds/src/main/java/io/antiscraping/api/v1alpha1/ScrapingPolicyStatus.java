package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;

@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ScrapingPolicyStatus {

  @JsonPropertyDescription("The metadata.generation this status was computed from.")
  private Long observedGeneration;

  @JsonPropertyDescription("The threat level in force.")
  private String level;

  @JsonPropertyDescription("When the level in force was entered (RFC 3339).")
  private String levelSince;

  @JsonPropertyDescription("When the signals were last evaluated (RFC 3339).")
  private String lastEvaluation;

  @JsonPropertyDescription("Number of bans in force.")
  private Integer bannedCount;

  @JsonPropertyDescription("Number of known-good clients at the last evaluation (spec.knownGood), after the cap.")
  private Integer knownGoodCount;

  @JsonPropertyDescription("Known-good clients left out at the last evaluation because spec.knownGood.maxClients was "
      + "reached (absent when none were).")
  private Integer knownGoodLeftOut;

  @JsonPropertyDescription("Number of data-plane objects this policy enforces on.")
  private Integer targetCount;

  @JsonPropertyDescription("The last value of each signal.")
  @Builder.Default
  private List<SignalStatus> signals = new ArrayList<>();

  @JsonPropertyDescription("Bans in force (at most offenders.maxBanned).")
  @Builder.Default
  private List<Ban> banned = new ArrayList<>();

  @JsonPropertyDescription("Per-target enforcement results (at most 100 listed; targetCount has the total).")
  @Builder.Default
  private List<TargetStatus> targets = new ArrayList<>();

  @JsonPropertyDescription("What the decision engine must remember across evaluations and operator restarts.")
  private DecisionMemory memory;

  @JsonPropertyDescription("Ready, MetricsAvailable, Enforced, and when they apply Invalid, Conflict, Degraded.")
  @Builder.Default
  private List<StatusCondition> conditions = new ArrayList<>();
}
