package io.antiscraping.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.NetworkAggregation;
import io.antiscraping.api.v1alpha1.PrefixAggregation;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.operator.decision.EngineState.BanEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Network bans with shopper carve-outs (spec.offenders.networks): the ladder of {@link Policies#ladder()} (elevated
 * after reads > 200 for 2m), a /24 prefix rule, and networks (/16) judged from elevated on: the {@code crawl} signal
 * summed per /16 above 5 for 10s, at least 10 members, 90 % suspicious; the {@code shoppers} signal's clients above 0
 * are carved out, at most 8 per network.
 */
class NetworkBansTest {

  static final String NET = "198.18.0.0/16";

  static ScrapingPolicySpec spec() {
    ScrapingPolicySpec spec = Policies.withOffenders(Policies.ladder(), o -> {
      o.setPrefixes(PrefixAggregation.builder().above(15.0).forDuration("30s").memberAbove(1.0).build());
      o.setNetworks(NetworkAggregation.builder().fromLevel("elevated").signal("crawl").above(5.0).forDuration("10s")
          .shoppers("shoppers").maxCarveOuts(8).banFor("30m").build());
      return o;
    });
    List<Signal> signals = new ArrayList<>(spec.getSignals());
    signals.add(Signal.builder().name("crawl").query("sum by (client) (rate(profile_reads_total[30s]))")
        .perClient(new Signal.PerClient("client")).build());
    signals.add(Signal.builder().name("shoppers").query("sum by (client) (rate(product_views_total[1m]))")
        .perClient(new Signal.PerClient("client")).build());
    return DecisionEngineAggregateTest.withKnownGood(spec.toBuilder().signals(signals).build());
  }

  /** {@code n} addresses scattered over 198.18.0.0/16 (one per /24), at {@code value} each. */
  static Map<String, Double> pool(int n, double value) {
    Map<String, Double> out = new HashMap<>();
    for (int i = 0; i < n; i++) {
      out.put("198.18." + i + "." + (1 + (i * 37) % 250), value);
    }
    return out;
  }

  static Readings readings(double reads, Map<String, Double> crawl, Map<String, Double> shoppers) {
    return readings(reads, crawl, shoppers, Map.of());
  }

  static Readings readings(double reads, Map<String, Double> crawl, Map<String, Double> shoppers,
                           Map<String, Double> good) {
    Readings.Builder b = Readings.builder().scalar("reads", reads).perClient("clients", Map.of())
        .perClient("crawl", crawl).perClient("good", good);
    return (shoppers == null ? b.unavailable("shoppers", "Prometheus answered 503") : b.perClient("shoppers", shoppers))
        .build();
  }

  /** Readings with per-client offenders ({@code clients}) and no shopper-like or known-good client. */
  static Readings offenderReadings(double reads, Map<String, Double> clients, Map<String, Double> crawl) {
    return Readings.builder().scalar("reads", reads).perClient("clients", clients).perClient("crawl", crawl)
        .perClient("good", Map.of()).perClient("shoppers", Map.of()).build();
  }

  /** A run at the elevated level from t=120 s on (reads 500 since 0). */
  static Run elevated(ScrapingPolicySpec spec, Map<String, Double> crawl, Map<String, Double> shoppers) {
    Run run = new Run(spec);
    run.at(0, readings(500, Map.of(), shoppers));
    assertThat(run.at(120, readings(500, crawl, shoppers)).next().level()).isEqualTo("elevated");
    return run;
  }

  static TreeSet<Cidr> denied(Decision d) {
    return new TreeSet<>(d.plan().bans());
  }

  static boolean deniedAddress(Decision d, String address) {
    Cidr a = Cidr.parse(address).orElseThrow();
    return d.plan().bans().stream().anyMatch(b -> b.contains(a));
  }

  @Test
  void aQuietPoolSpreadOverOneNetworkIsBannedWholeOnceTheAggregateSaysAttack() {
    // 200 addresses at 0.1 each: no address, and no /24 (one address each), comes near a bar; the /16 sums 20.
    Map<String, Double> crawl = pool(200, 0.1);
    Run run = elevated(spec(), crawl, Map.of());
    assertThat(denied(run.last)).as("not before the networks' for (10s)").isEmpty();
    Decision d = run.at(130, readings(500, crawl, Map.of()));

    assertThat(denied(d)).extracting(Cidr::toString).containsExactly(NET);
    BanEntry ban = d.next().bans().get(Cidr.parse(NET).orElseThrow());
    assertThat(ban.until()).isEqualTo(Policies.T0.plusSeconds(130 + 30 * 60));
    assertThat(ban.reason()).isEqualTo("network: 200 members, sum crawl=20 > 5 for 10s, 100% above 0");
    assertThat(ban.evidence().members()).isEqualTo(200);
    assertThat(d.events()).anySatisfy(e -> assertThat(e.message()).contains("Banned 1 prefix", NET + " (network: "));
  }

  @Test
  void networksAreNotJudgedBelowTheirLevel() {
    Map<String, Double> crawl = pool(200, 0.1);
    Run run = new Run(spec());
    for (int t = 0; t <= 300; t += 10) {
      assertThat(denied(run.at(t, readings(100, crawl, Map.of())))).as("at the baseline, t=%d", t).isEmpty();
    }
  }

  @Test
  void shopperLikeClientsInsideAreCarvedOutAndEveryCrawlerAddressStaysDenied() {
    Map<String, Double> crawl = pool(200, 0.1);
    // Two shoppers in the pool's network; one of them also reads profiles (its crawl value is not summed).
    Map<String, Double> shoppers = Map.of("198.18.7.7", 1.0, "198.18.200.1", 2.0);
    crawl.put("198.18.7.7", 0.1);
    Run run = elevated(spec(), crawl, shoppers);
    Decision d = run.at(130, readings(500, crawl, shoppers));

    assertThat(deniedAddress(d, "198.18.7.7")).isFalse();
    assertThat(deniedAddress(d, "198.18.200.1")).isFalse();
    for (String c : crawl.keySet()) {
      if (!shoppers.containsKey(c)) {
        assertThat(deniedAddress(d, c)).as(c).isTrue();
      }
    }
    assertThat(d.plan().bans()).as("at most 16 entries per carve-out of a /16").hasSizeLessThanOrEqualTo(32)
        .allSatisfy(b -> assertThat(Cidr.parse(NET).orElseThrow().contains(b)).isTrue());
    assertThat(d.next().bans().get(Cidr.parse(NET).orElseThrow()).reason())
        .isEqualTo("network: 202 members, sum crawl=20 > 5 for 10s, 99% above 0, 2 shopper-like or known-good "
            + "clients carved out");
  }

  @Test
  void aClientThatTurnsShopperLikeOrKnownGoodInsideABannedNetworkIsCarvedOutAtTheNextPublication() {
    ScrapingPolicySpec spec = spec().toBuilder().banUpdateInterval("1m").build();
    Map<String, Double> crawl = pool(200, 0.1);
    // A shopper-like client inside when the ban is decided is carved out of it from the first publication.
    Map<String, Double> early = Map.of("198.18.50.50", 1.0);
    Run run = elevated(spec, crawl, early);
    run.budgeted = true;
    assertThat(run.at(130, readings(500, crawl, early)).held()).as("the ban waits for the interval").isTrue();
    Decision first = run.at(180, readings(500, crawl, early));
    assertThat(deniedAddress(first, "198.18.99.99")).isTrue();
    assertThat(deniedAddress(first, "198.18.50.50")).isFalse();

    // Within the interval after that publication, clients that turn shopper-like or known-good (a crawl's addresses
    // can, by the draw of their pages) wait for the next publication: each crossing would otherwise be a write.
    Map<String, Double> shoppers = Map.of("198.18.50.50", 1.0, "198.18.99.99", 1.0, "198.18.120.7", 1.0);
    Map<String, Double> good = Map.of("198.18.99.99", 1.0);
    Decision waiting = run.at(190, readings(500, crawl, shoppers, good));
    assertThat(waiting.held()).as("the carve-outs wait for the next publication").isTrue();
    assertThat(deniedAddress(waiting, "198.18.99.99")).isTrue();
    assertThat(deniedAddress(waiting, "198.18.120.7")).isTrue();
    assertThat(deniedAddress(waiting, "198.18.50.50")).isFalse();
    Decision published = run.at(240, readings(500, crawl, shoppers, good));
    assertThat(published.held()).isFalse();
    assertThat(deniedAddress(published, "198.18.99.99")).isFalse();
    assertThat(deniedAddress(published, "198.18.120.7")).isFalse();
    assertThat(deniedAddress(published, "198.18.120.8")).isTrue();
  }

  @Test
  void aPerClientBanInsideANetworkAboutToComeDueWaitsForItSoThatOneWriteCarriesBoth() {
    ScrapingPolicySpec spec = spec().toBuilder().banUpdateInterval("1m").build();
    Map<String, Double> crawl = pool(200, 0.1);
    // 198.18.3.3 is far above the per-client bar (20 for 1m) from t=65: its ban is due at t=125. The network
    // qualifies from t=120 (the level elevated) and is due at t=130 (for 10s).
    Map<String, Double> offender = Map.of("198.18.3.3", 50.0);
    java.util.function.BiFunction<Map<String, Double>, Map<String, Double>, Readings> at = (clients, pool) ->
        offenderReadings(500, clients, pool);
    Run run = new Run(spec);
    run.budgeted = true;
    run.at(0, at.apply(Map.of(), Map.of()));
    run.at(65, at.apply(offender, Map.of()));
    assertThat(run.at(120, at.apply(offender, crawl)).next().level()).isEqualTo("elevated");
    Decision waiting = run.at(125, at.apply(offender, crawl));
    assertThat(waiting.next().bans()).containsKey(Cidr.parse("198.18.3.3").orElseThrow());
    assertThat(waiting.plan().bans()).as("the interval allows a write, but the network comes due in 5 s").isEmpty();
    assertThat(waiting.held()).isTrue();
    Decision both = run.at(130, at.apply(offender, crawl));
    assertThat(both.held()).isFalse();
    assertThat(deniedAddress(both, "198.18.3.3")).isTrue();
    assertThat(deniedAddress(both, "198.18.99.99")).as("the network's ban in the same write").isTrue();

    // Without a network coming due, the same ban goes out when the interval allows.
    Run alone = new Run(spec);
    alone.budgeted = true;
    alone.at(0, at.apply(Map.of(), Map.of()));
    alone.at(65, at.apply(offender, Map.of()));
    alone.at(120, at.apply(offender, Map.of()));
    assertThat(deniedAddress(alone.at(125, at.apply(offender, Map.of())), "198.18.3.3")).isTrue();

    // A level raised meanwhile goes out at once, without the waiting ban; the network's write carries it.
    Run raised = new Run(spec);
    raised.budgeted = true;
    java.util.function.BiFunction<Double, Map<String, Double>, Readings> reads = (r, pool) ->
        offenderReadings(r, offender, pool);
    raised.at(0, at.apply(Map.of(), Map.of()));
    raised.at(65, reads.apply(1500.0, Map.of()));
    assertThat(raised.at(120, reads.apply(1500.0, crawl)).next().level()).isEqualTo("elevated");
    Decision high = raised.at(125, reads.apply(1500.0, crawl));
    assertThat(high.plan().level()).as("reads > 1000 for 1m").isEqualTo("high");
    assertThat(high.plan().bans()).isEmpty();
    assertThat(high.held()).isTrue();
    Decision carried = raised.at(130, reads.apply(1500.0, crawl));
    assertThat(deniedAddress(carried, "198.18.3.3")).isTrue();
    assertThat(deniedAddress(carried, "198.18.99.99")).isTrue();
    assertThat(carried.held()).isFalse();

    // A network that stops qualifying releases the wait at the next evaluation.
    Run gone = new Run(spec);
    gone.budgeted = true;
    gone.at(0, at.apply(Map.of(), Map.of()));
    gone.at(65, at.apply(offender, Map.of()));
    gone.at(120, at.apply(offender, crawl));
    assertThat(gone.at(125, at.apply(offender, crawl)).plan().bans()).isEmpty();
    Decision released = gone.at(127, at.apply(offender, Map.of()));
    assertThat(deniedAddress(released, "198.18.3.3")).isTrue();
    assertThat(deniedAddress(released, "198.18.99.99")).isFalse();
  }

  @Test
  void aPublishedNetworkBanWhoseShoppersCrossTheCapIsWithdrawnAtTheNextPublicationNotAtOnce() {
    ScrapingPolicySpec spec = spec().toBuilder().banUpdateInterval("1m").build();
    Map<String, Double> crawl = pool(200, 0.1);
    Run run = elevated(spec, crawl, Map.of());
    run.budgeted = true;
    run.at(130, readings(500, crawl, Map.of()));
    assertThat(deniedAddress(run.at(180, readings(500, crawl, Map.of())), "198.18.99.99")).as("published").isTrue();
    Map<String, Double> nine = new HashMap<>();
    for (int i = 1; i <= 9; i++) {
      nine.put("198.18.250." + i, 1.0);
    }
    Decision over = run.at(182, readings(500, crawl, nine));
    assertThat(deniedAddress(over, "198.18.99.99")).as("9 shoppers > maxCarveOuts 8: held until the next publication")
        .isTrue();
    assertThat(deniedAddress(over, "198.18.250.1")).as("a carve-out waits for the publication too").isTrue();
    assertThat(deniedAddress(run.at(240, readings(500, crawl, nine)), "198.18.99.99")).as("withdrawn").isFalse();

    Run again = elevated(spec, crawl, Map.of());
    again.budgeted = true;
    again.at(130, readings(500, crawl, Map.of()));
    again.at(180, readings(500, crawl, Map.of()));
    Map<String, Double> seventeen = new HashMap<>();
    for (int i = 1; i <= 17; i++) {
      seventeen.put("198.18.250." + i, 1.0);
    }
    assertThat(deniedAddress(again.at(182, readings(500, crawl, seventeen)), "198.18.99.99"))
        .as("17 shoppers > twice the cap: withdrawn at once").isFalse();
  }

  @Test
  void aNetworkWithTooManyShoppersOrTooFewSuspiciousMembersIsNotBanned() {
    Map<String, Double> crawl = pool(200, 0.1);
    Map<String, Double> nine = new HashMap<>();
    for (int i = 1; i <= 9; i++) {
      nine.put("198.18.250." + i, 1.0);
    }
    Run crowded = elevated(spec(), crawl, nine);
    assertThat(denied(crowded.at(200, readings(500, crawl, nine)))).as("9 shoppers > maxCarveOuts 8").isEmpty();

    ScrapingPolicySpec wide = Policies.withOffenders(spec(), o -> {
      o.setNetworks(o.getNetworks().toBuilder().maxCarveOuts(256).build());
      return o;
    });
    Map<String, Double> many = new HashMap<>();
    for (int i = 1; i <= 30; i++) {
      many.put("198.18.251." + i, 1.0);
    }
    Run impure = elevated(wide, crawl, many);
    assertThat(denied(impure.at(200, readings(500, crawl, many)))).as("200 of 230 members suspicious < 90 %").isEmpty();
  }

  @Test
  void aNetworkBanKeepsItsExpiryAfterTheLevelIsLeft() {
    Map<String, Double> crawl = pool(200, 0.1);
    Run run = elevated(spec(), crawl, Map.of());
    run.at(130, readings(500, crawl, Map.of()));
    Decision calm = null;
    for (int t = 140; t <= 900; t += 20) {
      calm = run.at(t, readings(0, Map.of(), Map.of()));
    }
    assertThat(calm.next().level()).isEqualTo("normal");
    assertThat(denied(calm)).extracting(Cidr::toString).containsExactly(NET);
    Decision expired = run.at(130 + 30 * 60, readings(0, Map.of(), Map.of()));
    assertThat(denied(expired)).isEmpty();
  }

  @Test
  void whileTheShoppersAreUnknownNoNetworkIsBannedAndABanInForceKeepsWhatWasPublished() {
    Map<String, Double> crawl = pool(200, 0.1);
    Run unknown = elevated(spec(), crawl, null);
    assertThat(denied(unknown.at(200, readings(500, crawl, null)))).isEmpty();
    assertThat(unknown.last.next().bans()).isEmpty();

    Map<String, Double> shopper = Map.of("198.18.5.5", 1.0);
    Run run = elevated(spec(), crawl, shopper);
    run.budgeted = true;
    TreeSet<Cidr> published = denied(run.at(130, readings(500, crawl, shopper)));
    assertThat(deniedAddress(run.last, "198.18.5.5")).isFalse();
    Decision d = run.at(132, readings(500, crawl, null));
    assertThat(denied(d)).isEqualTo(published);
  }

  @Test
  void anAllowlistedRangeInsideKeepsTheNetworkFromBeingBanned() {
    ScrapingPolicySpec spec = spec().toBuilder()
        .allowlist(io.antiscraping.api.v1alpha1.Allowlist.builder().cidrs(new ArrayList<>(List.of("198.18.40.0/24"))).build()).build();
    Map<String, Double> crawl = pool(200, 0.1);
    Run run = elevated(spec, crawl, Map.of());
    assertThat(denied(run.at(200, readings(500, crawl, Map.of())))).isEmpty();
  }

  @Test
  void noPerClientBanIsAddedInsideAnEnforcedNetworkButACarvedOutOffenderIsBannedOnItsOwn() {
    Map<String, Double> crawl = pool(200, 0.1);
    Map<String, Double> shoppers = Map.of("198.18.7.7", 1.0);
    // Two clients far above the per-client bar (20 for 1m) from t=120: one inside the network, one carved out of it.
    Map<String, Double> offenders = Map.of("198.18.3.3", 50.0, "198.18.7.7", 50.0);
    Run run = elevated(spec(), crawl, shoppers);
    java.util.function.IntFunction<Readings> at = t -> Readings.builder().scalar("reads", 500)
        .perClient("clients", offenders).perClient("crawl", crawl).perClient("good", Map.of())
        .perClient("shoppers", shoppers).build();
    run.at(121, at.apply(121));
    assertThat(run.at(130, at.apply(130)).next().bans()).containsOnlyKeys(Cidr.parse(NET).orElseThrow());
    Decision d = run.at(181, at.apply(181));
    assertThat(d.next().bans().keySet()).extracting(Cidr::toString).containsExactlyInAnyOrder(NET, "198.18.7.7/32");
    assertThat(deniedAddress(d, "198.18.7.7")).as("its own ban denies it").isTrue();
  }

  @Test
  void removingNetworksFromThePolicyWithdrawsEveryPieceOfANetworkBanAtOnceUnderTheWriteBudget() {
    ScrapingPolicySpec spec = spec().toBuilder().banUpdateInterval("1m").build();
    Map<String, Double> crawl = pool(200, 0.1);
    Map<String, Double> shopper = Map.of("198.18.5.5", 1.0);
    Run run = elevated(spec, crawl, shopper);
    run.budgeted = true;
    run.at(130, readings(500, crawl, shopper));
    assertThat(deniedAddress(run.at(180, readings(500, crawl, shopper)), "198.18.5.4")).isTrue();
    run.spec = Policies.withOffenders(spec, o -> {
      o.setNetworks(null);
      return o;
    });
    Decision d = run.at(182, readings(500, crawl, shopper));
    assertThat(d.hasEvent(DecisionEvent.BANS_REVOKED)).isTrue();
    assertThat(d.plan().bans()).as("no piece of the revoked network stays").isEmpty();
  }

  // ---- the part on its own ----

  private static Cidr cidr(String s) {
    return Cidr.parse(s).orElseThrow();
  }

  private static NetworkBans part(String... innocents) {
    TreeSet<Cidr> set = new TreeSet<>();
    for (String i : innocents) {
      set.add(cidr(i));
    }
    return new NetworkBans(CompiledPolicy.of(spec(), List.of()).networks, set);
  }

  @Test
  void aNetworkBanIsEnforcedAsTheNetworkMinusItsInnocentsUpToTheCarveOutCap() {
    NetworkBans eight = part("198.18.1.1", "198.18.2.2", "198.18.3.3", "198.18.4.4", "198.18.5.5", "198.18.6.6",
        "198.18.7.7", "198.18.8.8");
    assertThat(eight.enforced(cidr(NET))).isTrue();
    List<Cidr> denied = eight.denylist(List.of(cidr(NET), cidr("203.0.113.9/32")), null);
    assertThat(denied).contains(cidr("203.0.113.9/32")).noneMatch(d -> d.contains(cidr("198.18.5.5")))
        .anyMatch(d -> d.contains(cidr("198.18.5.4")));
    NetworkBans nine = part("198.18.1.1", "198.18.2.2", "198.18.3.3", "198.18.4.4", "198.18.5.5", "198.18.6.6",
        "198.18.7.7", "198.18.8.8", "198.18.9.9");
    assertThat(nine.enforced(cidr(NET))).isFalse();
    assertThat(nine.denylist(List.of(cidr(NET)), null)).as("a network of shoppers is not enforced").isEmpty();
  }

  @Test
  void whileTheInnocentsAreUnknownWhatWasPublishedForANetworkBanStays() {
    NetworkBans unknown = new NetworkBans(CompiledPolicy.of(spec(), List.of()).networks, null);
    EnforcementPlan last = Plans.forLevel(spec(), "elevated", List.of(cidr("198.18.0.0/17"), cidr("198.18.128.0/18")),
        List.of());
    assertThat(unknown.denylist(List.of(cidr(NET)), new PublishedPlan(last, Policies.T0)))
        .containsExactly(cidr("198.18.0.0/17"), cidr("198.18.128.0/18"));
    assertThat(unknown.denylist(List.of(cidr(NET)), null)).isEmpty();
    assertThat(unknown.covers(cidr("198.18.4.4/32"), java.util.Set.of(cidr(NET))))
        .as("an unenforced network covers nothing").isFalse();
  }

  @Test
  void aCrowdedNetworkIsWithdrawnFromAHeldListButTheBansInsideItStay() {
    List<String> many = new ArrayList<>();
    for (int i = 1; i <= 17; i++) {
      many.add("198.18." + i + ".1");
    }
    NetworkBans crowded = part(many.toArray(String[]::new));
    java.util.Set<Cidr> book = java.util.Set.of(cidr(NET), cidr("198.18.200.7/32"));
    NetworkBans.Outlook outlook = crowded.outlook(book, Map.of(), null, Policies.T0);
    assertThat(outlook.crowded()).containsExactly(cidr(NET));
    assertThat(outlook.withdraw(List.of(cidr("198.18.0.0/17"), cidr("198.18.200.7/32"), cidr("203.0.113.9/32"))))
        .containsExactly(cidr("198.18.200.7/32"), cidr("203.0.113.9/32"));
    NetworkBans.Outlook sixteen = part(many.subList(0, 16).toArray(String[]::new))
        .outlook(book, Map.of(), null, Policies.T0);
    assertThat(sixteen.crowded()).as("twice the cap is not yet crowded").isEmpty();
  }

  @Test
  void anIpv6NetworkWhoseCarvedPiecesExceedTheEntryBudgetIsNotEnforced() {
    Cidr net = cidr("2001:db8::/32");
    NetworkBans one = part("2001:db8:1::1");
    assertThat(one.entryBudget()).as("8 carve-outs x (32 - 16)").isEqualTo(128);
    assertThat(one.enforced(net)).isTrue();
    assertThat(one.denylist(List.of(net), null)).hasSize(96).noneMatch(d -> d.contains(cidr("2001:db8:1::1")));
    NetworkBans spread = part("2001:db8:1::1", "2001:db8:2::1", "2001:db8:3::1", "2001:db8:4::1",
        "2001:db8:5::1", "2001:db8:6::1", "2001:db8:7::1", "2001:db8:8::1");
    assertThat(net.without(new TreeSet<>(spread.innocents())).size()).as("what it would cost").isGreaterThan(128);
    assertThat(spread.enforced(net)).isFalse();
    assertThat(spread.denylist(List.of(net, cidr("2001:db8:9::9/128")), null))
        .as("the network is not written; its members' own bans are").containsExactly(cidr("2001:db8:9::9/128"));
  }

  @Test
  void anIpv4NetworkWithinTheCarveOutCapAlwaysFitsTheEntryBudget() {
    List<String> spread = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      spread.add("198.18." + (i * 31) + "." + (1 + i * 29));
    }
    NetworkBans eight = part(spread.toArray(String[]::new));
    assertThat(eight.enforced(cidr(NET))).isTrue();
    assertThat(eight.denylist(List.of(cidr(NET)), null).size()).isLessThanOrEqualTo((int) eight.entryBudget());
  }
}
