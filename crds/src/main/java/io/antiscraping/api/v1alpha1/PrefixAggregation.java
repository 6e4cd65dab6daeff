package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
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
 * Prefix aggregation with a purity guard: the offenders signal's per-client values are summed per prefix, and a
 * prefix whose sum stays high while most of its active members are themselves suspicious is banned whole.
 */
@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
public class PrefixAggregation {

  /** The broadest IPv4 aggregation prefix allowed. */
  public static final int MIN_IPV4_PREFIX_LENGTH = 16;
  /** The broadest IPv6 aggregation prefix allowed. */
  public static final int MIN_IPV6_PREFIX_LENGTH = 32;

  @Default("24")
  @Min(MIN_IPV4_PREFIX_LENGTH)
  @Max(32)
  @JsonPropertyDescription("IPv4 clients are summed per prefix of this length (16 to 32).")
  @Builder.Default
  private Integer ipv4PrefixLength = 24;

  @Default("48")
  @Min(MIN_IPV6_PREFIX_LENGTH)
  @Max(128)
  @JsonPropertyDescription("IPv6 clients are summed per prefix of this length (32 to 128).")
  @Builder.Default
  private Integer ipv6PrefixLength = 48;

  @Required
  @JsonPropertyDescription("A prefix qualifies when the sum of its members' values stays strictly above this for `for`.")
  private Double above;

  @JsonProperty("for")
  @Default("1m")
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @JsonPropertyDescription("How long a prefix must qualify (sum, members and purity) at every evaluation before it is banned.")
  @Builder.Default
  private String forDuration = "1m";

  @Default("0")
  @JsonPropertyDescription("A member is suspicious when its own value is strictly above this (a lower bar than "
      + "offenders.above: a member of a distributed crawl stays under the per-client bar).")
  @Builder.Default
  private Double memberAbove = 0.0;

  @Default("0.8")
  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Purity: the share (0 to 1) of the prefix's active members (value > 0) that must be "
      + "suspicious. It protects shoppers who share a prefix with nobody bad (CGNAT, offices).")
  @Builder.Default
  private Double minSuspiciousShare = 0.8;

  @Default("2")
  @Min(1)
  @Max(65536)
  @JsonPropertyDescription("A prefix needs at least this many active members to qualify.")
  @Builder.Default
  private Integer minMembers = 2;

  @Pattern(Durations.PATTERN)

  @Size(max = Durations.MAX_LENGTH)
  @JsonPropertyDescription("How long a prefix ban lasts; defaults to offenders.banFor.")
  private String banFor;
}
