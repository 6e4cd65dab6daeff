package io.antiscraping.lab.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.lab.Lab;
import io.antiscraping.lab.LabOperator;
import io.antiscraping.lab.ScenarioRun;
import io.antiscraping.lab.report.ScenarioOutcome;
import io.antiscraping.lab.scenario.Scenario;
import io.antiscraping.lab.scenario.Scenario.ClientClass;
import io.antiscraping.api.v1alpha1.Durations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The storefront lab, end to end: the shipped scenarios run once (real nginx + ModSecurity + CRS, mtail, real
 * Prometheus scraping every 1 s, the operator in-process against the in-JVM API server or KUBECONFIG's cluster) and
 * each outcome is held to the bounds its scenario file states and the project promises. The report lands in
 * target/lab-report.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StorefrontLabIT {

  /**
   * The scenarios every bound is asserted on: the six shipped ones, the shoppers-only mix, the mobile shoppers under
   * attack, and the aggregate-defense families the lab policy contains within the bounds (the wide pool, rotating
   * pools contiguous and spread, the route-mix mimic, the slow ramp, CGNAT shoppers next to an attacking /24, a
   * flash sale and a search bot during an attack). Run any scenario here with -Dantiscraping.lab.scenarios=a,b.
   */
  static final List<String> HELD_TO_THE_BOUNDS = List.of("wide-pool", "burst-crawler", "distributed-crawler",
      "ua-rotating", "flash-sale", "search-bot", "label-poisoning", "shopper-mix", "mobile-shoppers",
      "rotating-pool-contiguous", "rotating-pool-spread", "route-mix-mimic", "slow-ramp", "cgnat-shoppers",
      "flash-sale-attack", "search-bot-attack");
  /**
   * Scenarios that set up a controller misconfiguration (client addresses trusted from anyone; a refused Ingress
   * without a webhook): only the operator's report of it is asserted, since the misconfiguration defeats the policy.
   */
  static final List<String> REPORTING_A_MISCONFIGURATION = List.of("real-ip-trusts-everyone", "snippet-refused");
  /**
   * Scenario files this suite runs: {@link #HELD_TO_THE_BOUNDS} and {@link #REPORTING_A_MISCONFIGURATION}, or those
   * named in -Dantiscraping.lab.scenarios.
   */
  static final List<String> FILES = System.getProperty("antiscraping.lab.scenarios", "").isBlank()
      ? Stream.of(HELD_TO_THE_BOUNDS, REPORTING_A_MISCONFIGURATION)
          .flatMap(List::stream).toList()
      : List.of(System.getProperty("antiscraping.lab.scenarios").split(","));
  /** The bound on write-driven nginx reloads in any minute of any scenario. */
  static final double MAX_RELOADS_PER_MINUTE = 6;
  /** The bound on profiles a crawler scenario may obtain when its file names none. */
  static final int MAX_PROFILES = 3000;
  /** Longest rate window in the lab policy plus scrape and evaluation delays: how long the signals lag the traffic. */
  static final Duration SIGNAL_LAG = Duration.ofSeconds(40);

  Map<String, ScenarioRun.Result> results;
  Map<String, Scenario> scenarios;
  Map<String, Duration> cooldowns = new java.util.HashMap<>();
  Path reportDir = Path.of("target/lab-report");

  @BeforeAll
  void runTheLab() throws Exception {
    List<Path> files = FILES.stream().map(n -> Path.of("../examples/scenarios", n.trim() + ".yaml")).toList();
    long t0 = System.nanoTime();
    Lab.Session session = Lab.run(files, reportDir, LabOperator.inProcess());
    System.out.printf("StorefrontLabIT: %d scenarios in %d s%n", session.results().size(),
        java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
    results = session.results().stream().collect(Collectors.toMap(r -> r.outcome().scenario(), Function.identity()));
    scenarios = new java.util.LinkedHashMap<>();
    for (Scenario s : Lab.load(files)) {
      scenarios.put(s.name(), s);
      String cooldown = new com.fasterxml.jackson.databind.ObjectMapper(
          new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(s.policyFile().toFile())
          .at("/spec/cooldown").asText("10m");
      cooldowns.put(s.name(), Durations.parse(cooldown).orElseThrow());
    }
  }

  /** The scenarios held to the bounds (every run but those that set up a misconfiguration). */
  Stream<String> scenarioNames() {
    return scenarios.keySet().stream().filter(n -> scenarios.get(n).expect().conditions().isEmpty());
  }

  Stream<String> misconfigurationScenarios() {
    return scenarios.keySet().stream().filter(n -> !scenarios.get(n).expect().conditions().isEmpty());
  }

  @ParameterizedTest
  @MethodSource("misconfigurationScenarios")
  void theOperatorReportsTheControllerMisconfiguration(String name) {
    List<String> seen = results.get(name).conditionsSeen();
    for (Scenario.ExpectedCondition expected : scenarios.get(name).expect().conditions()) {
      assertThat(seen).as("%s: conditions seen during the run", name).anyMatch(expected::matches);
    }
  }

  @ParameterizedTest
  @MethodSource("scenarioNames")
  void aWellConfiguredControllerGivesNoMisconfigurationReport(String name) {
    assertThat(results.get(name).conditionsSeen()).as("%s: conditions seen during the run", name)
        .noneMatch(c -> c.startsWith("ClientAddressesSuspect=True") || c.endsWith("(NotTakingEffect)"));
  }

  Stream<String> attackScenarios() {
    return scenarioNames().filter(n -> !scenarios.get(n).groups(ClientClass.CRAWLER).isEmpty());
  }

  ScenarioOutcome outcome(String name) {
    return results.get(name).outcome();
  }

  @TestFactory
  Stream<DynamicTest> everyCrawlerIsContainedInTime() {
    return attackScenarios().map(n -> DynamicTest.dynamicTest(n, () -> everyCrawlerIsContainedInTime(n)));
  }

  void everyCrawlerIsContainedInTime(String name) {
    Duration bound = scenarios.get(name).expect().containWithinDuration();
    for (ScenarioOutcome.GroupOutcome g : outcome(name).groups()) {
      if (g.clientClass().equals("crawler")) {
        assertThat(g.timeToContainSeconds()).as("%s: %s contained", name, g.name()).isNotNull();
        assertThat(g.timeToContainSeconds()).as("%s: %s time to contain (s)", name, g.name())
            .isLessThanOrEqualTo(bound.toSeconds());
      }
    }
  }

  @ParameterizedTest
  @MethodSource("scenarioNames")
  void shoppersAreAlmostNeverDenied(String name) {
    ScenarioOutcome o = outcome(name);
    assertThat(o.shopperRequests()).as("shopper requests").isGreaterThan(100);
    assertThat(o.shopperDenialShare()).as("%s: shopper denial share (%d of %d)", name, o.shopperDenied(),
        o.shopperRequests()).isLessThanOrEqualTo(scenarios.get(name).expect().shopperDenialShare());
    assertThat(o.shopperErrors()).as("%s: shopper requests without a response or with 5xx", name).isZero();
  }

  @ParameterizedTest
  @MethodSource("scenarioNames")
  void nobodyButCrawlersIsBanned(String name) {
    // Within the scenario's budget (expect.maxWrongfulBans, 0 unless it says otherwise).
    assertThat(outcome(name).wrongfulBans()).as(name).hasSizeLessThanOrEqualTo(
        scenarios.get(name).expect().wrongfulBans());
  }

  @TestFactory
  Stream<DynamicTest> theLevelReturnsToBaselineAfterTheAttackPlusCooldown() {
    return attackScenarios().map(n -> DynamicTest.dynamicTest(n, () -> theLevelReturnsToBaselineAfterTheAttackPlusCooldown(n)));
  }

  void theLevelReturnsToBaselineAfterTheAttackPlusCooldown(String name) {
    ScenarioOutcome o = outcome(name);
    Duration cooldown = cooldowns.get(name);
    assertThat(o.backToBaselineSeconds()).as("%s: back to baseline", name).isNotNull();
    assertThat(o.backToBaselineSeconds()).as("%s: back to baseline (s since start)", name)
        .isLessThanOrEqualTo(o.attackEndSeconds() + cooldown.plus(SIGNAL_LAG).toSeconds());
  }

  @ParameterizedTest
  @MethodSource("scenarioNames")
  void forgedForwardedForValuesNeverBecomeClientLabels(String name) {
    assertThat(outcome(name).foreignClientLabels()).as(name).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("scenarioNames")
  void deletingThePolicyRestoresTheNginxConfiguration(String name) {
    assertThat(outcome(name).nginxRestoredAfterDelete()).as(name).isTrue();
  }

  @ParameterizedTest
  @MethodSource("scenarioNames")
  void nginxAcceptedEveryConfigurationTheOperatorCausedAndTheReportIsWritten(String name) {
    assertThat(outcome(name).notes()).as(name).noneMatch(n -> n.startsWith("nginx rejected"));
    assertThat(reportDir.resolve(name + ".png")).isNotEmptyFile();
    assertThat(reportDir.resolve(name + "-access.log")).isNotEmptyFile();
  }

  @TestFactory
  Stream<DynamicTest> crawlersObtainFewerProfilesThanTheScenariosBound() {
    return attackScenarios().map(n -> DynamicTest.dynamicTest(n, () -> {
      Integer bound = scenarios.get(n).expect().maxProfileRecords();
      int limit = bound == null ? MAX_PROFILES : Math.min(bound, MAX_PROFILES);
      assertThat(outcome(n).crawlerProfileRecords()).as("%s: crawler profile records", n).isLessThanOrEqualTo(limit);
    }));
  }

  @ParameterizedTest
  @MethodSource("scenarioNames")
  void nginxReloadsAtMostSixTimesInAnyMinute(String name) {
    assertThat(outcome(name).nginxReloadsPerMinute()).as("%s: nginx reloads in the busiest minute", name)
        .isNotNull().isLessThanOrEqualTo(MAX_RELOADS_PER_MINUTE);
  }

  @TestFactory
  Stream<DynamicTest> theAllowlistedSearchBotIsNeverLimitedNorBanned() {
    return scenarioNames().filter(n -> !scenarios.get(n).groups(ClientClass.SEARCH_BOT).isEmpty())
        .map(n -> DynamicTest.dynamicTest(n, () -> {
          ScenarioOutcome o = outcome(n);
          assertThat(o.searchBotRequests()).isGreaterThan(300);
          assertThat(o.searchBotDenied()).as("%s: search bot denials", n).isZero();
          assertThat(o.everBanned()).as(n).noneMatch(b -> b.startsWith("66.249."));
        }));
  }

  @TestFactory
  Stream<DynamicTest> shopperOnlyScenariosAreNeverPunished() {
    return scenarioNames().filter(n -> scenarios.get(n).groups(ClientClass.SHOPPER).size()
        == scenarios.get(n).clients().size()).map(n -> DynamicTest.dynamicTest(n, () -> {
          ScenarioOutcome o = outcome(n);
          assertThat(o.shopperDenied()).as("%s: shopper denials", n).isZero();
          assertThat(o.everBanned()).as("%s: bans", n).isEmpty();
        }));
  }

  @Test
  void theReportHasEveryScenario() throws Exception {
    String md = Files.readString(reportDir.resolve("report.md"));
    String json = Files.readString(reportDir.resolve("report.json"));
    for (String name : scenarios.keySet()) {
      assertThat(md).contains("## " + name);
      assertThat(json).contains("\"scenario\" : \"" + name + "\"");
    }
  }
}
