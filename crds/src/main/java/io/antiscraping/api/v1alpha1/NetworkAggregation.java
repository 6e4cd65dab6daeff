package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
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
 * Network bans with shopper carve-outs: while the threat level is at least {@code fromLevel}, a per-client signal's
 * values are summed per network (a /16 by default), and a network whose sum stays high while nearly all of its
 * members are suspicious is banned whole, minus the shopper-like and known-good clients inside it, which are carved
 * out of the ban at every evaluation. It is what stops a pool whose addresses rotate or are too many and too quiet
 * to be seen one by one, as long as the pool is packed into a few networks.
 */
@Data
@NoArgsConstructor
@AllArgsConstructor
@Builder(toBuilder = true)
public class NetworkAggregation {

  /** The broadest IPv4 network allowed. */
  public static final int MIN_IPV4_PREFIX_LENGTH = PrefixAggregation.MIN_IPV4_PREFIX_LENGTH;
  /** The broadest IPv6 network allowed. */
  public static final int MIN_IPV6_PREFIX_LENGTH = PrefixAggregation.MIN_IPV6_PREFIX_LENGTH;
  /** The most carve-outs a network ban may have. */
  public static final int MAX_CARVE_OUTS = 256;

  @Required
  @Size(max = Signal.NAME_MAX_LENGTH)
  @Pattern(Signal.NAME_PATTERN)
  @JsonPropertyDescription("The lowest level (by name, above the baseline) at which networks are judged: a network "
      + "ban acts on the aggregate, so it needs the aggregate to say \"attack\". Bans decided keep their expiry after "
      + "the level is left.")
  private String fromLevel;

  @Required
  @Pattern(Signal.NAME_PATTERN)
  @Size(max = Signal.NAME_MAX_LENGTH)
  @JsonPropertyDescription("Name of the per-client signal summed per network, for example sensitive reads of clients "
      + "without catalogue traffic; it need not have the offenders signal's noise floor.")
  private String signal;

  @Default("16")
  @Min(MIN_IPV4_PREFIX_LENGTH)
  @Max(31)
  @JsonPropertyDescription("IPv4 clients are summed per network of this length (16 to 31); it must be broader than "
      + "spec.offenders.prefixes.ipv4PrefixLength.")
  @Builder.Default
  private Integer ipv4PrefixLength = 16;

  @Default("32")
  @Min(MIN_IPV6_PREFIX_LENGTH)
  @Max(127)
  @JsonPropertyDescription("IPv6 clients are summed per network of this length (32 to 127); it must be broader than "
      + "spec.offenders.prefixes.ipv6PrefixLength.")
  @Builder.Default
  private Integer ipv6PrefixLength = 32;

  @Required
  @JsonPropertyDescription("A network qualifies when the sum of its suspicious members' values stays strictly above "
      + "this for `for`.")
  private Double above;

  @JsonProperty("for")
  @Default("10s")
  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @JsonPropertyDescription("How long a network must qualify at every evaluation before it is banned.")
  @Builder.Default
  private String forDuration = "10s";

  @Default("0")
  @JsonPropertyDescription("A member is suspicious when its value is strictly above this and it is neither "
      + "shopper-like nor known-good.")
  @Builder.Default
  private Double memberAbove = 0.0;

  @Default("0.9")
  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Purity: the share (0 to 1) of the network's members (clients with a value above 0, and "
      + "its shopper-like and known-good clients) that must be suspicious.")
  @Builder.Default
  private Double minSuspiciousShare = 0.9;

  @Default("10")
  @Min(1)
  @Max(65536)
  @JsonPropertyDescription("A network needs at least this many members to qualify.")
  @Builder.Default
  private Integer minMembers = 10;

  @Pattern(Signal.NAME_PATTERN)
  @Size(max = Signal.NAME_MAX_LENGTH)
  @JsonPropertyDescription("Name of a per-client signal of the clients that look like shoppers now (for example "
      + "catalogue views at a shopper's ratio of sensitive reads): those above `shoppersAbove` count as innocent "
      + "members and are carved out of their network's ban, as known-good clients are. Without it only known-good "
      + "clients are carved out.")
  private String shoppers;

  @Default("0")
  @JsonPropertyDescription("A client of the `shoppers` signal is shopper-like when its value is strictly above this.")
  @Builder.Default
  private Double shoppersAbove = 0.0;

  @Default("32")
  @Min(0)
  @Max(MAX_CARVE_OUTS)
  @JsonPropertyDescription("A network with more shopper-like and known-good clients than this is a network of "
      + "shoppers, never banned (and a ban in force on it is not enforced while that lasts). Each carve-out costs the "
      + "data plane up to (32 - ipv4PrefixLength) deny-list entries.")
  @Builder.Default
  private Integer maxCarveOuts = 32;

  @Pattern(Durations.PATTERN)
  @Size(max = Durations.MAX_LENGTH)
  @JsonPropertyDescription("How long a network ban lasts; defaults to spec.offenders.banFor.")
  private String banFor;
}
