package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;

/** Engine state persisted in the status so that a restarted operator neither relaxes nor re-escalates by accident. */
@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DecisionMemory {

  @JsonPropertyDescription("Levels recommended at recent evaluations within the cooldown window, oldest first. Only "
      + "entries that can still decide the level are kept (a later entry at the same or a higher level supersedes an "
      + "earlier one), so the list never has more entries than there are levels.")
  @Builder.Default
  private List<Recommendation> recommendations = new ArrayList<>();

  @JsonPropertyDescription("Since when each currently true comparison has held, keyed "
      + "`<level>/<index>:<signal><op><threshold>` so that an edited condition starts afresh.")
  @Builder.Default
  private List<Since> conditionsTrueSince = new ArrayList<>();

  @JsonPropertyDescription("The offenders rule (`<signal>><above>`) the pending offenders below were measured "
      + "against; when the rule is edited they start afresh.")
  private String offendersRule;

  @JsonPropertyDescription("Clients above the offenders threshold and since when, in a compact binary encoding "
      + "(base64): at most 1000, not-yet-banned and strongest first; `capped` says when some were left out.")
  private String offenders;

  @JsonPropertyDescription("Prefixes that qualify for a prefix ban (spec.offenders.prefixes) and since when, in the "
      + "same compact encoding: at most 1000.")
  private String prefixes;

  @JsonPropertyDescription("Every ban in force with its expiry, in a compact binary encoding (base64); `banned` "
      + "lists the most recent ones readably.")
  private String bans;

  @JsonPropertyDescription("Last time every signal the decisions use was evaluated successfully (RFC 3339).")
  private String lastGoodMetrics;

  @JsonPropertyDescription("Since when metrics have been unavailable (RFC 3339); absent while they are available.")
  private String metricsUnavailableSince;

  @JsonPropertyDescription("True when a list here hit its cap and the weakest entries were dropped.")
  private Boolean capped;

  @Data
  @NoArgsConstructor
  @AllArgsConstructor
  @Builder(toBuilder = true)
  public static class Recommendation {
    @JsonPropertyDescription("Recommended level.")
    private String level;
    @JsonPropertyDescription("Evaluation time (RFC 3339).")
    private String at;
  }

  @Data
  @NoArgsConstructor
  @AllArgsConstructor
  @Builder(toBuilder = true)
  public static class Since {
    @JsonPropertyDescription("What has held: a condition key or a client address.")
    private String key;
    @JsonPropertyDescription("Since when (RFC 3339).")
    private String since;
    @JsonPropertyDescription("The latest value.")
    private Double value;
  }
}
