package io.antiscraping.operator.enforcement.ingressnginx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.antiscraping.api.v1alpha1.Waf;
import io.antiscraping.operator.decision.Cidr;
import io.antiscraping.operator.decision.EnforcementPlan;
import io.antiscraping.operator.decision.EnforcementPlan.RateLimits;
import io.antiscraping.operator.decision.EnforcementPlan.WafSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: plan in, annotations out ({@code src/test/resources/golden/ingressnginx/<case>.yaml}).
 * Regenerate with {@code -Dgolden.update=true} and review the diff.
 */
class IngressNginxAnnotationsTest {

  static final Path GOLDEN = Path.of("src/test/resources/golden/ingressnginx");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE));

  static Stream<Arguments> cases() {
    List<Cidr> allow = List.of(cidr("10.0.0.0/8"), cidr("2001:db8::/32"), cidr("192.0.2.7"));
    List<Cidr> bans = List.of(cidr("203.0.113.9"), cidr("198.51.100.0/24"), cidr("2001:db8:1::/64"));
    RateLimits rps = new RateLimits(OptionalInt.of(50), OptionalInt.empty(), OptionalInt.of(5), OptionalInt.of(40));
    return Stream.of(
        Arguments.of("baseline-detection-only", false,
            new EnforcementPlan("normal", rps, new WafSettings(Waf.Mode.DETECTION_ONLY, false, OptionalInt.empty()),
                allow, List.of())),
        Arguments.of("no-limits-no-waf", false,
            new EnforcementPlan("normal", RateLimits.NONE, WafSettings.DISABLED, allow, List.of())),
        Arguments.of("rpm-with-bans", false,
            new EnforcementPlan("elevated", new RateLimits(OptionalInt.empty(), OptionalInt.of(300), OptionalInt.empty(),
                OptionalInt.empty()), WafSettings.DISABLED, List.of(), bans)),
        Arguments.of("blocking-without-snippets", false,
            new EnforcementPlan("severe", rps, new WafSettings(Waf.Mode.BLOCKING, true, OptionalInt.of(2)), allow, bans)),
        Arguments.of("blocking-with-snippets", true,
            new EnforcementPlan("severe", rps, new WafSettings(Waf.Mode.BLOCKING, true, OptionalInt.of(2)), allow, bans)),
        Arguments.of("detection-paranoia-with-snippets", true,
            new EnforcementPlan("elevated", rps, new WafSettings(Waf.Mode.DETECTION_ONLY, true, OptionalInt.of(3)),
                List.of(), List.of())),
        Arguments.of("route-budget-per-address", false,
            new EnforcementPlan("elevated", rps, WafSettings.DISABLED, allow, bans, List.of(),
                new EnforcementPlan.RouteBudget(200, OptionalInt.of(6)), List.of(cidr("192.0.2.55"), cidr("192.0.2.7")))),
        Arguments.of("route-budget-without-per-address-limit", false,
            new EnforcementPlan("elevated", RateLimits.NONE, WafSettings.DISABLED, List.of(), List.of(), List.of(),
                new EnforcementPlan.RouteBudget(200, OptionalInt.empty()), List.of())),
        Arguments.of("lockdown", false,
            new EnforcementPlan("severe", rps, WafSettings.DISABLED, allow, bans, List.of(),
                new EnforcementPlan.RouteBudget(0, OptionalInt.empty()), List.of(cidr("192.0.2.55")))),
        Arguments.of("lockdown-nobody-exempt", false,
            new EnforcementPlan("severe", RateLimits.NONE, WafSettings.DISABLED, List.of(), List.of(), List.of(),
                new EnforcementPlan.RouteBudget(0, OptionalInt.empty()), List.of())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void planRendersToTheGoldenAnnotations(String name, boolean allowSnippets, EnforcementPlan plan) throws IOException {
    IngressNginxAnnotations.Rendered r = IngressNginxAnnotations.render(plan, allowSnippets);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("annotations", r.annotations());
    out.put("notEnforceable", r.notEnforceable());
    out.put("notes", r.notes());
    String actual = YAML.writeValueAsString(out);
    Path file = GOLDEN.resolve(name + ".yaml");
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(file, actual);
    }
    assertThat(file).as("golden file missing: run with -Dgolden.update=true and review it").exists();
    assertThat(actual).isEqualTo(Files.readString(file));
    assertThat(r.annotations().keySet()).allSatisfy(k -> assertThat(IngressNginxAnnotations.ALL).contains(k));
    if (!allowSnippets) {
      assertThat(r.annotations()).doesNotContainKey(IngressNginxAnnotations.MODSECURITY_SNIPPET);
    }
  }

  @org.junit.jupiter.api.Test
  void lockdownExemptionsAreCappedAndTheCapIsReported() {
    List<Cidr> many = new java.util.ArrayList<>();
    for (int i = 0; i < IngressNginxAnnotations.MAX_EXEMPT + 5; i++) {
      many.add(cidr("100." + (64 + i / 65536) + "." + (i / 256 % 256) + "." + (i % 256)));
    }
    IngressNginxAnnotations.Rendered r = IngressNginxAnnotations.render(new EnforcementPlan("severe",
        RateLimits.NONE, WafSettings.DISABLED, List.of(cidr("10.0.0.0/8")), List.of(), List.of(),
        new EnforcementPlan.RouteBudget(0, OptionalInt.empty()), many), false);
    assertThat(r.annotations().get(IngressNginxAnnotations.WHITELIST_SOURCE_RANGE).split(","))
        .hasSize(IngressNginxAnnotations.MAX_EXEMPT).contains("10.0.0.0/8");
    assertThat(r.notEnforceable()).singleElement().asString().contains("6 known-good client(s)");
  }

  /**
   * Security finding 10: 5000 IPv6 /128 bans (about 220 KB of denylist-source-range) beside an Ingress's own large
   * annotations would exceed the 256 KiB an object's annotations may take, and the API server would refuse the whole
   * patch. The planner keeps the annotations within the budget and says what it left out.
   */
  @Test
  void bansBeyondTheAnnotationBudgetAreCappedAndReported() {
    List<Cidr> bans = new java.util.ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      bans.add(cidr(String.format("2001:db8:%x:%x:%x:%x:%x:%x/128", 0x1000 + i, 0xabcd, 0xef01, 0x2345, 0x6789,
          0xabcd)));
    }
    EnforcementPlan plan = new EnforcementPlan("severe", new RateLimits(OptionalInt.of(5), OptionalInt.empty(),
        OptionalInt.of(2), OptionalInt.empty()), WafSettings.DISABLED, List.of(cidr("10.0.0.0/8")), bans);
    IngressNginxAnnotations.Rendered whole = IngressNginxAnnotations.render(plan, false);
    int full = IngressNginxAnnotations.size(whole.annotations());
    assertThat(full).as("all 5000 fit the default budget").isLessThanOrEqualTo(IngressNginxAnnotations.DEFAULT_BUDGET_BYTES)
        .isGreaterThan(200_000);
    assertThat(whole.annotations().get(IngressNginxAnnotations.DENYLIST_SOURCE_RANGE).split(",")).hasSize(5000);

    int budget = 150_000;
    IngressNginxAnnotations.Rendered capped = IngressNginxAnnotations.render(plan, false, budget);
    assertThat(IngressNginxAnnotations.size(capped.annotations())).isLessThanOrEqualTo(budget);
    String[] kept = capped.annotations().get(IngressNginxAnnotations.DENYLIST_SOURCE_RANGE).split(",");
    assertThat(kept.length).isBetween(3000, 4999);
    assertThat(kept[0]).isEqualTo(bans.get(0).toString());
    assertThat(capped.annotations()).containsEntry(IngressNginxAnnotations.LIMIT_RPS, "5")
        .containsEntry(IngressNginxAnnotations.LIMIT_ALLOWLIST, "10.0.0.0/8");
    assertThat(capped.notEnforceable()).anySatisfy(n -> assertThat(n)
        .startsWith((5000 - kept.length) + " of 5000 bans").contains("256 KiB"));
  }

  private static Cidr cidr(String s) {
    return Cidr.parse(s).orElseThrow();
  }
}
