package io.antiscraping.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.operator.validation.PolicyValidator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reproductions of security findings that the decision layer and the validator close: each test is the attack, and
 * asserts what a user sees now.
 */
class SecurityFindingsTest {

  static List<String> bans(Decision d) {
    return d.plan().bans().stream().map(Cidr::toString).toList();
  }

  /** Finding 11: an IPv4-mapped allowlist entry protects the IPv4 clients it names. */
  @Test
  void anIpv4MappedAllowlistEntryProtectsItsIpv4Clients() {
    Run run = new Run(Policies.withAllowlist(Policies.ladder(), "::ffff:10.0.0.0/104"));
    run.at(0, Run.clients(Map.of("10.1.2.3", 100.0)));
    assertThat(bans(run.at(60, Run.clients(Map.of("10.1.2.3", 100.0))))).isEmpty();
    assertThat(Plans.allowlist(run.spec)).extracting(Cidr::toString).containsExactly("10.0.0.0/8");
  }

  /** Finding 12: a client label in a special range (loopback, link-local, the IPv4-mapped space) bans nothing. */
  @Test
  void specialAddressesAreNeverBanned() {
    for (String label : List.of("::1", "127.0.0.1", "169.254.169.254", "fe80::1", "::", "0.0.0.0", "224.0.0.1")) {
      Run run = new Run(Policies.ladder());
      run.at(0, Run.clients(Map.of(label, 100.0)));
      assertThat(bans(run.at(60, Run.clients(Map.of(label, 100.0))))).as(label).isEmpty();
    }
    // ::2 would be widened to ::/64, which contains ::ffff:0:0/96 (every IPv4 client): it may at most ban itself,
    // and ::/96 is never banned either.
    Run run = new Run(Policies.ladder());
    run.at(0, Run.clients(Map.of("2001:db8::2", 100.0, "::2", 100.0)));
    assertThat(bans(run.at(60, Run.clients(Map.of("2001:db8::2", 100.0, "::2", 100.0)))))
        .containsExactly("2001:db8::/64");
  }

  /**
   * Finding 12: the cluster's own ranges (load balancer, pod, node CIDRs, from the admin's {@code --never-ban}) are
   * never banned: a client key there is a proxy or a node whose address a realip misconfiguration put in the label.
   */
  @Test
  void theAdminsNeverBanRangesAreNeverBanned() {
    Map<String, Double> clients = Map.of("10.244.1.5", 100.0, "192.168.7.20", 100.0, "203.0.113.7", 100.0);
    Run open = new Run(Policies.ladder());
    open.at(0, Run.clients(clients));
    assertThat(bans(open.at(60, Run.clients(clients)))).as("without the flag").contains("10.244.1.5/32");

    Run guarded = new Run(Policies.ladder(), new DecisionEngine(List.of(Cidr.parse("10.244.0.0/16").orElseThrow(),
        Cidr.parse("192.168.7.0/24").orElseThrow())));
    guarded.at(0, Run.clients(clients));
    assertThat(bans(guarded.at(60, Run.clients(clients)))).containsExactly("203.0.113.7/32");

    // A prefix ban that would reach into a never-ban range narrows to the client, as for the allowlist.
    ScrapingPolicySpec wide = Policies.withOffenders(Policies.ladder(), o -> {
      o.setIpv4PrefixLength(16);
      return o;
    });
    Run narrowed = new Run(wide, new DecisionEngine(List.of(Cidr.parse("10.245.1.0/24").orElseThrow())));
    narrowed.at(0, Run.clients(Map.of("10.245.9.9", 100.0)));
    assertThat(bans(narrowed.at(60, Run.clients(Map.of("10.245.9.9", 100.0))))).containsExactly("10.245.9.9/32");
  }

  /** Finding 9: a duration repeated a thousand times is Invalid, never a StackOverflowError. */
  @Test
  void aHugeDurationIsInvalidAndNeverThrows() {
    ScrapingPolicySpec spec = Policies.ladder();
    spec.setCooldown("1s".repeat(1000));
    assertThat(PolicyValidator.validate(spec)).extracting(PolicyValidator.Violation::toString)
        .filteredOn(v -> v.startsWith("spec.cooldown")).singleElement().asString().startsWith("spec.cooldown: \"1s1s1s").endsWith("(at most 32 characters)");
    assertThat(new DecisionEngine().decide(spec, null, Run.reads(0), Policies.T0)).isNotNull();

    ScrapingPolicySpec forever = Policies.withOffenders(Policies.ladder(), o -> {
      o.setBanFor("999999999h".repeat(3));
      return o;
    });
    assertThat(PolicyValidator.validate(forever)).extracting(PolicyValidator.Violation::toString)
        .filteredOn(v -> v.startsWith("spec.offenders")).singleElement().asString().startsWith("spec.offenders.banFor").endsWith("(at most 3650 days)");
    Run run = new Run(forever);
    run.at(0, Run.clients(Map.of("203.0.113.7", 100.0)));
    Decision d = run.at(60, Run.clients(Map.of("203.0.113.7", 100.0)));
    assertThat(bans(d)).as("the engine falls back to the default banFor").containsExactly("203.0.113.7/32");
    assertThat(d.next().bans().values().iterator().next().until()).isEqualTo(Policies.T0.plusSeconds(60 + 3600));
  }
}
