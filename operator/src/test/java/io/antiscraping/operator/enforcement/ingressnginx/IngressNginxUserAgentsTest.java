package io.antiscraping.operator.enforcement.ingressnginx;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.operator.decision.EnforcementPlan;
import io.antiscraping.operator.decision.EnforcementPlan.RateLimits;
import io.antiscraping.operator.decision.EnforcementPlan.WafSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ingress-nginx cannot deny user agents per Ingress: the plan's expressions are reported, never written. */
class IngressNginxUserAgentsTest {

  @Test
  void deniedUserAgentsAreNamedAsNotEnforceableAndNothingCarriesThem() {
    EnforcementPlan plan = new EnforcementPlan("elevated", RateLimits.NONE, WafSettings.DISABLED, List.of(), List.of(),
        List.of("(?i)sqlmap", "^$"));
    for (boolean snippets : List.of(false, true)) {
      IngressNginxAnnotations.Rendered r = IngressNginxAnnotations.render(plan, snippets);
      assertThat(r.annotations()).isEmpty();
      assertThat(r.notEnforceable()).singleElement().asString().startsWith("denyUserAgents (2 pattern(s)");
    }
  }
}
