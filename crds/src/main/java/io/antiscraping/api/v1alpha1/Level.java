package io.antiscraping.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
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
public class Level {

  @Required
  @Pattern(Signal.NAME_PATTERN)
  @Size(max = Signal.NAME_MAX_LENGTH)
  @JsonPropertyDescription("Level name shown in status, events and metrics (lowercase letters, digits and dashes).")
  private String name;

  @Size(max = 8)
  @JsonPropertyDescription("Conditions that must all hold, each continuously for its `for`, for this level to apply. "
      + "Omitted on the first (baseline) level; required on every other level.")
  @Builder.Default
  private List<WhenCondition> when = new ArrayList<>();

  @JsonPropertyDescription("Per-client rate limits in force at this level. Omitted: no limit is written.")
  private RateLimit rateLimit;

  @JsonPropertyDescription("Web application firewall settings in force at this level. Omitted: the WAF is left off.")
  private Waf waf;

  @Size(max = 32)
  @JsonPropertyDescription("User agents denied at this level: RE2 regular expressions searched in the User-Agent "
      + "header (unanchored: use ^...$ to match the whole value, (?i) to ignore case); a matching request is refused "
      + "with 403. Allowlisted clients are exempt. Enforced on EnvoyGateway (SecurityPolicy); the other data planes "
      + "report them as not enforceable. At most 32, each at most 256 characters.")
  @Builder.Default
  private List<@Size(min = 1, max = 256) String> denyUserAgents = new ArrayList<>();

  @JsonPropertyDescription("A tighter offender rule in force while this level is (needs spec.offenders; not on the "
      + "baseline). Bans decided under it keep their own expiry.")
  private LevelOffenders offenders;

  @JsonPropertyDescription("A cap on the protected routes for everyone but allowlisted and known-good clients while "
      + "this level is in force; requestsPerSecond 0 is a lockdown.")
  private RouteBudget routeBudget;
}
