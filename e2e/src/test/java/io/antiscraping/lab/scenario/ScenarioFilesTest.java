package io.antiscraping.lab.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.antiscraping.api.schema.CrdSchema;
import io.antiscraping.lab.Lab;
import io.antiscraping.lab.scenario.Scenario.ClientClass;
import io.antiscraping.lab.traffic.TrafficGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The shipped scenarios load, have the shape the issue fixes, and run under a policy the CRD accepts. */
class ScenarioFilesTest {

  static final Path SCENARIOS = Path.of("../examples/scenarios");
  static final CrdSchema VALIDATOR = CrdSchema.strict(Path.of(
      "../crds/scrapingpolicies.antiscraping.io-v1.yml"));

  static Stream<Path> files() throws Exception {
    try (Stream<Path> s = Files.list(SCENARIOS)) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @Test
  void theShippedScenariosAreAllThere() throws Exception {
    assertThat(files().map(p -> p.getFileName().toString().replace(".yaml", "")))
        .containsExactlyInAnyOrderElementsOf(Lab.DEFAULT_SCENARIOS);
  }

  @ParameterizedTest
  @MethodSource("files")
  void loadsAndItsPolicyIsValid(Path file) throws Exception {
    Scenario s = Scenario.load(file);
    assertThat(s.name()).isEqualTo(file.getFileName().toString().replace(".yaml", ""));
    assertThat(s.policyFile()).exists();
    List<CrdSchema.Violation> errors = VALIDATOR.validate(CrdSchema.read(s.policyFile()));
    assertThat(errors).as(s.policyFile().toString()).isEmpty();
    if (s.attackEnd() != null) {
      assertThat(s.attackEnd()).as("the run goes on after the attack").isLessThan(s.runTime());
    }
  }

  @Test
  void clientAddressesNeverOverlapBetweenGroups() throws Exception {
    for (Path file : files().toList()) {
      Set<String> seen = new HashSet<>();
      for (Scenario.ClientGroup g : Scenario.load(file).clients()) {
        for (String a : TrafficGenerator.addresses(Scenario.load(file), g)) {
          assertThat(seen.add(a)).as("%s: %s used twice", file, a).isTrue();
        }
      }
    }
  }

  @Test
  void theWafBlockingPolicyIsTheLabPolicyWithOnlyTheWafModeChanged() throws Exception {
    List<String> lab = Files.readAllLines(Path.of("../examples/lab/storefront-lab-policy.yaml"));
    List<String> blocking = Files.readAllLines(Path.of("../examples/lab/storefront-lab-policy-waf-blocking.yaml"))
        .stream().dropWhile(l -> l.startsWith("#") && !lab.contains(l)).toList();
    assertThat(blocking).hasSameSizeAs(lab);
    for (int i = 0; i < lab.size(); i++) {
      assertThat(blocking.get(i)).as("line %d", i + 1)
          .isEqualTo(lab.get(i).replace("waf: {mode: DetectionOnly, coreRuleSet: true}",
              "waf: {mode: Blocking, coreRuleSet: true}"));
    }
    assertThat(blocking).anyMatch(l -> l.contains("mode: Blocking"));
  }

  @Test
  void misconfigurationScenariosChangeTheControllerAndExpectTheOperatorToSaySo() throws Exception {
    Scenario trusting = Scenario.load(SCENARIOS.resolve("real-ip-trusts-everyone.yaml"));
    assertThat(trusting.controller()).containsEntry("proxy-real-ip-cidr", "0.0.0.0/0")
        .containsEntry("use-forwarded-headers", "true");
    assertThat(trusting.expect().conditions()).extracting(Scenario.ExpectedCondition::type)
        .containsExactly("ClientAddressesSuspect");
    Scenario refused = Scenario.load(SCENARIOS.resolve("snippet-refused.yaml"));
    assertThat(refused.controller()).containsEntry("annotations-risk-level", "High");
    assertThat(refused.expect().conditions()).extracting(Scenario.ExpectedCondition::reason)
        .containsExactly("NotTakingEffect");
    assertThat(new Scenario.ExpectedCondition("Enforced", "False", "NotTakingEffect")
        .matches("Enforced=False (NotTakingEffect)")).isTrue();
    assertThat(new Scenario.ExpectedCondition("Enforced", "False", "NotTakingEffect")
        .matches("Enforced=False (WriteFailed)")).isFalse();
    assertThat(new Scenario.ExpectedCondition("ClientAddressesSuspect", "True", null)
        .matches("ClientAddressesSuspect=True (ExemptClientsAboveBar)")).isTrue();
  }

  @Test
  void distributedCrawlerHasTheIncidentsShapeAndPace() throws Exception {
    Scenario s = Scenario.load(SCENARIOS.resolve("distributed-crawler.yaml"));
    Scenario.ClientGroup pool = s.groups(ClientClass.CRAWLER).get(0);
    assertThat(pool.count()).isGreaterThanOrEqualTo(200);
    assertThat(pool.ratePerClient()).isLessThanOrEqualTo(0.25);
    // 1.1 billion records in eight months is about 53 records/s; comments pages carry ~2 records on average.
    double requests = pool.count() * pool.ratePerClient();
    double records = requests * (pool.mix().get("profile") + pool.mix().get("comments") * 2.0);
    assertThat(records).isBetween(40.0, 65.0);
    assertThat(s.expect().maxProfileRecords()).isEqualTo(3000);
  }

  @Test
  void flashSaleIsAFivefoldSurgeOfShoppersWithoutCrawlers() throws Exception {
    Scenario s = Scenario.load(SCENARIOS.resolve("flash-sale.yaml"));
    assertThat(s.groups(ClientClass.CRAWLER)).isEmpty();
    assertThat(s.groups(ClientClass.SHOPPER).get(0).surge().multiplier()).isEqualTo(5.0);
  }

  @Test
  void rejectsUnknownFieldsAndBadDurations(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, "name: bad\npolicy: p.yaml\nduration: 10s\nclients: [{name: a, class: shopper, addresses: 10.0.0.0/24, colour: red}]\n");
    assertThatThrownBy(() -> Scenario.load(f)).hasMessageContaining("colour");
    Files.writeString(f, "name: bad\npolicy: p.yaml\nduration: ten\nclients: [{name: a, class: shopper, addresses: 10.0.0.0/24}]\n");
    assertThatThrownBy(() -> Scenario.load(f)).hasMessageContaining("duration");
  }

  @Test
  void theLabRefusesMissingScenarioAndPolicyFilesBeforeStartingAnything(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    assertThatThrownBy(() -> Lab.load(List.of(dir.resolve("missing.yaml")))).hasMessageEndingWith("no such file");
    Path f = dir.resolve("s.yaml");
    Files.writeString(f, "name: s\npolicy: nope.yaml\nduration: 5s\nclients: [{name: a, class: shopper, "
        + "addresses: 10.0.0.0/24}]\n");
    assertThatThrownBy(() -> Lab.load(List.of(f))).hasMessageContaining("policy file not found");
    int runs = 0;
    for (Path file : files().toList()) {
      Scenario s = Scenario.load(file);
      runs += s.seeds().isEmpty() ? 1 : s.seeds().size();
    }
    assertThat(Lab.load(files().toList())).hasSize(runs).extracting(Scenario::name).doesNotHaveDuplicates();
  }

  static Scenario family(String name) throws Exception {
    Scenario s = Scenario.load(SCENARIOS.resolve(name + ".yaml"));
    assertThat(s.seeds()).as("%s: a family runs with several seeds", name).hasSizeGreaterThanOrEqualTo(2);
    assertThat(s.variants()).extracting(Scenario::name).allMatch(n -> n.startsWith(name + "-s"));
    assertThat(s.expect().maxProfileRecords()).as(name).isNotNull().isLessThanOrEqualTo(3000);
    return s;
  }

  /** Distinct addresses a group sends from over the run, sampled every second as the traffic generator does. */
  static int addressesUsed(Scenario s, Scenario.ClientGroup g) {
    var plan = io.antiscraping.lab.traffic.AddressPlan.of(s, g);
    Set<String> used = new HashSet<>();
    long active = g.stopTime(s.runTime()).minus(g.startTime()).toMillis();
    for (int c = 0; c < plan.clients(); c++) {
      long from = g.rampTime().toMillis() * c / plan.clients();
      for (long t = 0; t + from < active; t += 1000) {
        used.add(plan.address(c, t));
      }
    }
    return used.size();
  }

  @Test
  void theAggregateDefenseFamiliesHaveTheShapesTheyStandFor() throws Exception {
    Scenario.ClientGroup wide = family("wide-pool").groups(ClientClass.CRAWLER).get(0);
    assertThat(wide.count()).isGreaterThanOrEqualTo(1000);
    assertThat(wide.ratePerClient()).isLessThanOrEqualTo(0.1);
    for (String name : List.of("rotating-pool-contiguous", "rotating-pool-spread")) {
      Scenario s = family(name);
      Scenario.ClientGroup pool = s.groups(ClientClass.CRAWLER).get(0);
      assertThat(pool.rotationInterval()).as(name).isLessThanOrEqualTo(Duration.ofSeconds(15));
      assertThat(addressesUsed(s, pool)).as("%s: addresses in all", name).isGreaterThanOrEqualTo(900);
      assertThat(pool.spread()).as(name).isEqualTo(name.endsWith("spread"));
    }
    Scenario.ClientGroup mimic = family("route-mix-mimic").groups(ClientClass.CRAWLER).get(0);
    double total = mimic.mix().values().stream().mapToDouble(Double::doubleValue).sum();
    assertThat(mimic.mix().get("profile") / total).isLessThanOrEqualTo(0.30);
    Scenario.ClientGroup ramp = family("slow-ramp").groups(ClientClass.CRAWLER).get(0);
    assertThat(ramp.rampTime()).isGreaterThanOrEqualTo(Duration.ofMinutes(3));
    Scenario cgnat = family("cgnat-shoppers");
    Scenario.ClientGroup nat = cgnat.clients().stream().filter(g -> g.sharedAddresses() != null).findFirst()
        .orElseThrow();
    assertThat(nat.count()).isGreaterThanOrEqualTo(40);
    assertThat(TrafficGenerator.addresses(cgnat, nat)).hasSizeLessThanOrEqualTo(4)
        .allMatch(a -> a.startsWith("100.66.7."));
    assertThat(TrafficGenerator.addresses(cgnat, cgnat.groups(ClientClass.CRAWLER).get(0)))
        .allMatch(a -> a.startsWith("100.66.8."));
    Scenario mobile = family("mobile-shoppers");
    assertThat(mobile.groups(ClientClass.SHOPPER)).anyMatch(g -> g.rotationInterval() != null);
    assertThat(mobile.groups(ClientClass.CRAWLER)).isNotEmpty();
    Scenario sale = family("flash-sale-attack");
    assertThat(sale.groups(ClientClass.SHOPPER)).anyMatch(g -> g.surge() != null)
        .anyMatch(g -> g.startTime().compareTo(sale.attackStart()) > 0);
    assertThat(sale.groups(ClientClass.CRAWLER)).isNotEmpty();
    Scenario bot = family("search-bot-attack");
    assertThat(bot.groups(ClientClass.SEARCH_BOT)).isNotEmpty();
    assertThat(bot.groups(ClientClass.CRAWLER)).isNotEmpty();
  }

  @Test
  void durationsAndDefaults(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path f = dir.resolve("s.yaml");
    Files.writeString(f, "name: s\npolicy: p.yaml\nduration: 1m30s\nclients: [{name: c, class: crawler, "
        + "addresses: 192.0.2.0/24, ratePerClient: 2, start: 5s, stop: 20s}]\n");
    Scenario s = Scenario.load(f);
    assertThat(s.runTime()).isEqualTo(Duration.ofSeconds(90));
    assertThat(s.attackStart()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.attackEnd()).isEqualTo(Duration.ofSeconds(20));
    assertThat(s.expect().containWithinDuration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.policyFile()).isEqualTo(dir.resolve("p.yaml"));
  }
}
