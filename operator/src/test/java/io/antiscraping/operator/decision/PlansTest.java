package io.antiscraping.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.antiscraping.api.v1alpha1.Waf;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PlansTest {

  @Test
  void aLevelBecomesItsLimitsWafAllowlistAndBans() {
    var spec = Policies.withAllowlist(Policies.ladder(), "10.0.0.1/8", " 2001:db8::1 ", "10.0.0.0/8", "nonsense");
    EnforcementPlan p = Plans.forLevel(spec, "elevated",
        List.of(Cidr.parse("198.51.100.1").orElseThrow(), Cidr.parse("192.0.2.0/24").orElseThrow()));
    assertThat(p.level()).isEqualTo("elevated");
    assertThat(p.rateLimits()).isEqualTo(new EnforcementPlan.RateLimits(OptionalInt.of(10), OptionalInt.empty(),
        OptionalInt.of(3), OptionalInt.empty()));
    assertThat(p.waf()).isEqualTo(new EnforcementPlan.WafSettings(Waf.Mode.BLOCKING, true, OptionalInt.of(2)));
    assertThat(p.allowlist()).extracting(Cidr::toString).containsExactly("10.0.0.0/8", "2001:db8::1/128");
    assertThat(p.bans()).extracting(Cidr::toString).containsExactly("192.0.2.0/24", "198.51.100.1/32");
  }

  @Test
  void aLevelWithoutLimitsOrWafWritesNone() {
    var spec = Policies.ladder();
    spec.getLevels().get(0).setRateLimit(null);
    spec.getLevels().get(0).setWaf(null);
    EnforcementPlan p = Plans.forLevel(spec, Plans.baseline(spec), List.of());
    assertThat(p.rateLimits()).isEqualTo(EnforcementPlan.RateLimits.NONE);
    assertThat(p.waf()).isEqualTo(EnforcementPlan.WafSettings.DISABLED);
    assertThat(p.allowlist()).isEmpty();
  }

  @Test
  void anUnknownLevelIsRejected() {
    assertThatThrownBy(() -> Plans.forLevel(Policies.ladder(), "panic", List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("panic");
  }
}
