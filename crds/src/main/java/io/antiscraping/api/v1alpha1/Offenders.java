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

@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
public class Offenders {

  public static final int DEFAULT_MAX_BANNED = 1000;

  @Required
  @Pattern(Signal.NAME_PATTERN)
  @Size(max = Signal.NAME_MAX_LENGTH)
  @JsonPropertyDescription("Name of a per-client signal from spec.signals.")
  private String signal;

  @Required
  @JsonPropertyDescription("A client whose value stays strictly above this for `for` is banned.")
  private Double above;

  @JsonProperty("for")
  @Default("1m")
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @JsonPropertyDescription("How long a client must stay above the threshold before it is banned.")
  @Builder.Default
  private String forDuration = "1m";

  @Default("1h")
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @JsonPropertyDescription("How long a ban lasts. Offending again while banned extends the ban.")
  @Builder.Default
  private String banFor = "1h";

  @Default("1000")
  @Min(1)
  @Max(5000)
  @JsonPropertyDescription("Upper bound on simultaneous bans; the strongest offenders win and reaching the cap is reported.")
  @Builder.Default
  private Integer maxBanned = DEFAULT_MAX_BANNED;

  @Default("32")
  @Min(8)
  @Max(32)
  @JsonPropertyDescription("Bans on IPv4 clients are aggregated to prefixes of this length (32: single addresses).")
  @Builder.Default
  private Integer ipv4PrefixLength = 32;

  @Default("64")
  @Min(32)
  @Max(128)
  @JsonPropertyDescription("Bans on IPv6 clients are aggregated to prefixes of this length (64: one subscriber's "
      + "subnet, so that an address rotated inside it after the ban is banned too). The bar (above) is still "
      + "compared per address: the addresses of a prefix are summed only with prefixes.")
  @Builder.Default
  private Integer ipv6PrefixLength = 64;

  @JsonPropertyDescription("Prefix aggregation with a purity guard: per-client values summed per prefix, so that a "
      + "crawl spread over many addresses of one network is banned whole. A prefix that contains an allowlisted or "
      + "known-good client is never banned (its offending members still are, one by one).")
  private PrefixAggregation prefixes;

  @JsonPropertyDescription("Network bans with shopper carve-outs, judged only while the level is at least its "
      + "fromLevel: a pool too wide, too quiet or rotating too fast to be seen address by address is banned per "
      + "network (a /16 by default), minus the shopper-like and known-good clients inside it.")
  private NetworkAggregation networks;
}
