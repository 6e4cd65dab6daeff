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

  @JsonPropertyDescription("Level recommended at each recent evaluation, within the cooldown window (capped).")
  @Builder.Default
  private List<Recommendation> recommendations = new ArrayList<>();

  @JsonPropertyDescription("Since when each currently true comparison has held, keyed `<level>/<index>`.")
  @Builder.Default
  private List<Since> conditionsTrueSince = new ArrayList<>();

  @JsonPropertyDescription("Since when each client has been above the offenders threshold (capped; strongest kept).")
  @Builder.Default
  private List<Since> offendingSince = new ArrayList<>();

  @JsonPropertyDescription("Last time every signal was evaluated successfully (RFC 3339).")
  private String lastGoodMetrics;

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
