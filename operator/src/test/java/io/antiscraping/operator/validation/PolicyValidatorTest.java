package io.antiscraping.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.Allowlist;
import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.Offenders;
import io.antiscraping.api.v1alpha1.PrometheusSource;
import io.antiscraping.api.v1alpha1.RateLimit;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Selector;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.api.v1alpha1.Waf;
import io.antiscraping.api.v1alpha1.WhenCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyValidatorTest {

  static ScrapingPolicySpec valid() {
    return ScrapingPolicySpec.builder()
        .targets(Targets.builder().selector(new Selector()).build())
        .signals(new ArrayList<>(List.of(
            Signal.builder().name("rps").query("sum(rate(x[1m]))").build(),
            Signal.builder().name("client-rate").query("sum by (client) (rate(x[1m]))")
                .perClient(new Signal.PerClient("client")).build())))
        .levels(new ArrayList<>(List.of(
            Level.builder().name("normal").rateLimit(RateLimit.builder().requestsPerSecond(10).build()).build(),
            Level.builder().name("elevated").when(new ArrayList<>(List.of(
                WhenCondition.builder().signal("rps").above(100.0).forDuration("1m").build()))).build())))
        .offenders(Offenders.builder().signal("client-rate").above(5.0).build())
        .allowlist(new Allowlist(new ArrayList<>(List.of("10.0.0.0/8", "2001:db8::/32", "192.0.2.1"))))
        .build();
  }

  static List<String> violations(Consumer<ScrapingPolicySpec> change) {
    ScrapingPolicySpec spec = valid();
    change.accept(spec);
    return PolicyValidator.validate(spec).stream().map(PolicyValidator.Violation::toString).toList();
  }

  @Test
  void aValidSpecHasNoViolations() {
    assertThat(violations(s -> { })).isEmpty();
  }

  @Test
  void aMissingSpecOrTargetsIsReported() {
    assertThat(PolicyValidator.validate(null)).extracting(PolicyValidator.Violation::path).containsExactly("spec");
    assertThat(violations(s -> s.setTargets(null))).containsExactly("spec.targets: is required");
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.0/33", "10.0.0", "256.1.1.1", "example.com", "10.0.0.0/8,10.1.0.0/16", "1.2.3.4 ",
      "::1::2", "01.2.3.4", "10.0.0.0/8; deny all"})
  void anAllowlistEntryThatIsNotACidrIsReportedWithItsIndex(String bad) {
    assertThat(violations(s -> s.getAllowlist().getCidrs().add(bad)))
        .singleElement().asString().startsWith("spec.allowlist.cidrs[3]: ").contains("is not an IPv4/IPv6 address or CIDR");
  }

  /**
   * Security finding S1: an allowlist of {@code 0.0.0.0/0, ::/0} exempted every client and, in a lockdown, opened the
   * Ingress to the internet. Entries broader than /8 (IPv4, also written IPv4-mapped) or /32 (IPv6) are Invalid.
   */
  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0/0", "::/0", "10.0.0.0/7", "128.0.0.0/1", "2001:db8::/31", "2000::/3",
      "::ffff:0:0/96", "::ffff:10.0.0.0/103"})
  void anAllowlistEntryBroaderThanASlash8OrSlash32IsInvalid(String broad) {
    assertThat(violations(s -> s.getAllowlist().getCidrs().add(broad)))
        .singleElement().asString().startsWith("spec.allowlist.cidrs[3]: \"" + broad + "\" is broader than /");
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.0/8", "2001:db8::/32", "::ffff:10.0.0.0/104", "192.0.2.7", "2001:db8::1"})
  void allowlistEntriesUpToASlash8OrSlash32AreValid(String entry) {
    assertThat(violations(s -> s.getAllowlist().getCidrs().add(entry))).isEmpty();
  }

  @Test
  void crossFieldRulesAreCheckedEvenWithoutTheApiServersCel() {
    assertThat(violations(s -> s.getLevels().get(1).setName("normal")))
        .containsExactly("spec.levels[1].name: level \"normal\" is declared twice");
    assertThat(violations(s -> s.getLevels().get(0).setWhen(List.of(WhenCondition.builder().signal("rps").above(1.0).build()))))
        .containsExactly("spec.levels[0].when: the first level is the baseline and must not have conditions");
    assertThat(violations(s -> s.getLevels().get(1).setWhen(List.of())))
        .containsExactly("spec.levels[1].when: every level after the baseline needs at least one condition");
    assertThat(violations(s -> s.getLevels().get(1).getWhen().get(0).setSignal("nope")))
        .containsExactly("spec.levels[1].when[0].signal: \"nope\" is not declared in spec.signals");
    assertThat(violations(s -> s.getLevels().get(1).getWhen().get(0).setSignal("client-rate")))
        .singleElement().asString().startsWith("spec.levels[1].when[0].signal: \"client-rate\" is a per-client signal");
    assertThat(violations(s -> s.getLevels().get(1).getWhen().get(0).setBelow(3.0)))
        .containsExactly("spec.levels[1].when[0]: needs exactly one of above or below");
    assertThat(violations(s -> s.getOffenders().setSignal("rps")))
        .singleElement().asString().startsWith("spec.offenders.signal: \"rps\" is a scalar signal");
    assertThat(violations(s -> s.getSignals().get(1).setName("rps")))
        .contains("spec.signals[1].name: signal \"rps\" is declared twice");
  }

  @Test
  void durationsAndBoundsAreChecked() {
    assertThat(violations(s -> s.setEvaluationInterval("500ms")))
        .containsExactly("spec.evaluationInterval: must be between 1s and 1h, was 500ms");
    assertThat(violations(s -> s.setCooldown("ten minutes")))
        .containsExactly("spec.cooldown: \"ten minutes\" is not a duration such as 30s, 2m or 1h30m");
    assertThat(violations(s -> s.getLevels().get(1).getWhen().get(0).setForDuration("1 m")))
        .containsExactly("spec.levels[1].when[0].for: \"1 m\" is not a duration such as 30s, 2m or 1h30m");
    assertThat(violations(s -> s.getOffenders().setBanFor("0s")))
        .containsExactly("spec.offenders.banFor: must be greater than 0");
    assertThat(violations(s -> s.getOffenders().setIpv4PrefixLength(4)))
        .containsExactly("spec.offenders.ipv4PrefixLength: must be between 8 and 32, was 4");
    assertThat(violations(s -> s.getLevels().get(0).getRateLimit().setRequestsPerSecond(0)))
        .containsExactly("spec.levels[0].rateLimit.requestsPerSecond: must be between 1 and 100000, was 0");
    assertThat(violations(s -> s.getLevels().get(1).getWhen().get(0).setAbove(Double.NaN)))
        .containsExactly("spec.levels[1].when[0].above: must be a finite number");
  }

  @Test
  void wafAndPrometheusSettingsAreChecked() {
    assertThat(violations(s -> s.getLevels().get(0).setWaf(Waf.builder().mode(Waf.Mode.DISABLED).coreRuleSet(true).build())))
        .containsExactly("spec.levels[0].waf.coreRuleSet: needs mode DetectionOnly or Blocking");
    assertThat(violations(s -> s.getLevels().get(0).setWaf(Waf.builder().mode(Waf.Mode.BLOCKING).paranoiaLevel(2).build())))
        .containsExactly("spec.levels[0].waf.paranoiaLevel: applies to the OWASP Core Rule Set: set coreRuleSet to true");
    assertThat(violations(s -> s.setPrometheus(PrometheusSource.builder().url("ftp://prom").build())))
        .containsExactly("spec.prometheus.url: \"ftp://prom\" is not an http(s) URL");
    assertThat(violations(s -> s.setPrometheus(PrometheusSource.builder().url("http://prom:9090\nHost: evil").build())))
        .hasSize(1);
  }

  @Test
  void selectorRequirementsAreChecked() {
    assertThat(violations(s -> s.getTargets().setSelector(Selector.builder().matchExpressions(List.of(
        Selector.Requirement.builder().key("app").operator(Selector.Operator.IN).build())).build())))
        .containsExactly("spec.targets.selector.matchExpressions[0].values: In and NotIn need values");
  }

  /** Security finding S2: a path with dot segments or percent-encoded delimiters cannot be compared: Invalid. */
  @Test
  void aPrometheusUrlWithADotSegmentOrAnEncodedDelimiterIsInvalid() {
    for (String url : List.of("http://thanos/tenant-a/../tenant-b", "http://thanos/tenant-a/%2e%2e/admin",
        "http://thanos/tenant-a/..;/admin", "http://thanos/tenant-a\\..\\admin", "http://thanos/tenant-a%2Fadmin")) {
      assertThat(violations(s -> s.setPrometheus(PrometheusSource.builder().url(url).build()))).as(url)
          .singleElement().asString().startsWith("spec.prometheus.url: \"").contains(": the path must not contain a ");
    }
    assertThat(violations(s -> s.setPrometheus(PrometheusSource.builder().url("http://thanos:9090/tenant-a/").build())))
        .isEmpty();
  }

  /** Security findings 3 and 5: a URL that neutralises the API path, or an unbounded timeout, is Invalid. */
  @Test
  void aPrometheusUrlWithQueryFragmentOrUserinfoAndAnUnboundedTimeoutAreInvalid() {
    for (String url : List.of("http://169.254.169.254/latest/meta-data/?x=", "http://prom:9090/#", "http://u:p@prom:9090")) {
      assertThat(violations(s -> s.setPrometheus(PrometheusSource.builder().url(url).build())))
          .singleElement().asString().startsWith("spec.prometheus.url: ").contains("must not have a query");
    }
    assertThat(violations(s -> s.setPrometheus(PrometheusSource.builder().url("http://prom:9090").timeout("5m").build())))
        .containsExactly("spec.prometheus.timeout: must be greater than 0 and at most 30s, was 5m");
  }
}
