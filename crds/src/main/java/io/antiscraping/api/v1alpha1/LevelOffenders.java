package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import lombok.AllArgsConstructor;
import lombok.Builder;
import lombok.Data;
import lombok.NoArgsConstructor;

/**
 * A level-scoped offender rule: while its level is in force it replaces the matching parts of spec.offenders. It may
 * only tighten them (a lower bar, a shorter `for`), and a higher level may not be looser than a lower one.
 */
@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
public class LevelOffenders {

  @JsonPropertyDescription("Per-client bar while this level is in force (at most spec.offenders.above).")
  private Double above;

  @JsonProperty("for")
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @JsonPropertyDescription("How long a client must stay above the bar while this level is in force (at most "
      + "spec.offenders.for).")
  private String forDuration;

  @Pattern(Durations.PATTERN)

  @Size(max = Durations.MAX_LENGTH)
  @JsonPropertyDescription("How long bans decided while this level is in force last; they keep this expiry after "
      + "the level is left.")
  private String banFor;

  @JsonPropertyDescription("Prefix-sum bar while this level is in force (at most spec.offenders.prefixes.above).")
  private Double prefixAbove;

  @JsonPropertyDescription("Suspicious-member bar while this level is in force (at most "
      + "spec.offenders.prefixes.memberAbove).")
  private Double memberAbove;
}
