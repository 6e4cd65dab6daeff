package io.antiscraping.lab.report;

import io.antiscraping.lab.scenario.Scenario;
import io.antiscraping.lab.scenario.Scenario.ClientClass;
import io.antiscraping.lab.scenario.Scenario.ClientGroup;
import io.antiscraping.lab.storefront.FakeDb;
import io.antiscraping.lab.traffic.AddressPlan;
import io.antiscraping.lab.traffic.Addresses;
import io.antiscraping.lab.traffic.RequestRecord;
import io.antiscraping.lab.traffic.TrafficGenerator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Turns ground truth and the observed timeline into a {@link ScenarioOutcome}. Pure. */
public final class OutcomeCalculator {

  /** Containment: success rate under this share ... */
  public static final double CONTAINED_SUCCESS_SHARE = 0.05;
  /** ... over every window of this many seconds. */
  public static final int CONTAINMENT_WINDOW_SECONDS = 5;

  private OutcomeCalculator() {}

  /** Inputs that are not ground truth. */
  public record RunFacts(String baselineLevel, Boolean nginxRestoredAfterDelete, List<String> clientLabels,
      List<String> notes, Map<String, Double> shopperFeatureQuantiles) {

    public RunFacts(String baselineLevel, Boolean nginxRestoredAfterDelete, List<String> clientLabels,
        List<String> notes) {
      this(baselineLevel, nginxRestoredAfterDelete, clientLabels, notes, Map.of());
    }
  }

  public static ScenarioOutcome calculate(Scenario scenario, FakeDb db, List<RequestRecord> truth, Timeline timeline,
      RunFacts facts) {
    List<ScenarioOutcome.GroupOutcome> groups = new ArrayList<>();
    Double containAll = null;
    boolean anyCrawler = false;
    boolean allContained = true;
    for (ClientGroup g : scenario.clients()) {
      List<RequestRecord> mine = truth.stream().filter(r -> r.group().equals(g.name())).toList();
      Double firstAt = mine.isEmpty() ? null : mine.get(0).atMillis() / 1000.0;
      // Containment is about the records the policy protects: catalogue pages are public, and a crawler that mixes
      // them in is contained when its reads of profiles and comments are.
      Double contain = g.clientClass() == ClientClass.CRAWLER
          ? timeToContain(mine.stream().filter(RequestRecord::protectedRoute).toList()) : null;
      if (g.clientClass() == ClientClass.CRAWLER) {
        anyCrawler = true;
        if (contain == null) {
          allContained = false;
        } else {
          containAll = containAll == null ? contain : Math.max(containAll, contain);
        }
      }
      groups.add(new ScenarioOutcome.GroupOutcome(g.name(), g.clientClass().label(),
          AddressPlan.totalClients(g), mine.size(), mine.stream().filter(RequestRecord::ok).count(),
          mine.stream().filter(RequestRecord::denied).count(),
          mine.stream().filter(r -> !r.ok() && !r.denied() && r.status() != 404).count(), firstAt, contain,
          uniqueIds(mine, "profile", Long.MAX_VALUE).size(), commentRecords(db, mine, Long.MAX_VALUE),
          uniqueIds(mine, "product", Long.MAX_VALUE).size(),
          (int) mine.stream().map(RequestRecord::client).distinct().count()));
    }
    List<RequestRecord> crawlers = truth.stream().filter(r -> r.clientClass() == ClientClass.CRAWLER).toList();
    long containedAt = Long.MAX_VALUE;
    Double recordsPerSecond = null;
    if (!crawlers.isEmpty() && containAll != null && allContained) {
      containedAt = crawlers.get(0).atMillis() + Math.round(containAll * 1000);
    }
    if (!crawlers.isEmpty()) {
      long until = Math.min(containedAt, crawlers.get(crawlers.size() - 1).atMillis() + 1);
      double seconds = Math.max(1, until - crawlers.get(0).atMillis()) / 1000.0;
      long got = crawlers.stream().filter(r -> r.atMillis() < until).mapToLong(RequestRecord::records).sum();
      recordsPerSecond = got / seconds;
    }
    List<RequestRecord> shoppers = truth.stream().filter(r -> r.clientClass() == ClientClass.SHOPPER).toList();
    long shopperDenied = shoppers.stream().filter(RequestRecord::denied).count();
    List<RequestRecord> bots = truth.stream().filter(r -> r.clientClass() == ClientClass.SEARCH_BOT).toList();

    Double attackEnd = scenario.attackEnd() == null ? null : scenario.attackEnd().toMillis() / 1000.0;
    Double backToBaseline = backToBaseline(timeline, facts.baselineLevel(),
        scenario.attackEnd() == null ? 0 : scenario.attackEnd().toMillis());
    Timeline.Sample last = timeline.last();
    int crawlerAddresses = (int) crawlers.stream().map(RequestRecord::client).distinct().count();
    int crawlerProfiles = uniqueIds(crawlers, "profile", Long.MAX_VALUE).size();
    Arrivals arrivals = arrivals(scenario, shoppers);
    return new ScenarioOutcome(scenario.name(), scenario.description(), scenario.policy(),
        scenario.runTime().toMillis() / 1000.0, truth.size(), groups, shoppers.size(), shopperDenied,
        shoppers.isEmpty() ? 0 : (double) shopperDenied / shoppers.size(),
        shoppers.stream().filter(r -> r.status() == 0 || r.status() >= 500 && !r.denied()).count(), bots.size(),
        bots.stream().filter(RequestRecord::denied).count(),
        uniqueIds(crawlers, "profile", Long.MAX_VALUE).size(), uniqueIds(crawlers, "profile", containedAt).size(),
        commentRecords(db, crawlers, Long.MAX_VALUE), commentRecords(db, crawlers, containedAt), recordsPerSecond,
        anyCrawler && allContained ? containAll : null, timeline.everBanned(),
        wrongfulBans(scenario, timeline.everBanned()), timeline.maxBanned(), timeline.levelChanges(),
        facts.baselineLevel(), backToBaseline, attackEnd, last == null ? 0 : last.ingressWrites(),
        last == null ? 0 : last.statusWrites(), last == null ? 0 : last.nginxReloads(),
        facts.nginxRestoredAfterDelete(), foreignLabels(scenario, facts.clientLabels()), facts.notes(),
        crawlerAddresses, crawlerAddresses == 0 ? null : (double) crawlerProfiles / crawlerAddresses,
        peakPerMinute(timeline),
        arrivals.requests(), arrivals.denied(), arrivals.protectedRequests(), arrivals.protectedDenied(),
        facts.shopperFeatureQuantiles());
  }

  /**
   * The most nginx reloads in any 60 s of the run (from the reload counter of the samples); for a run shorter than
   * a minute, all its reloads. Null without samples.
   */
  static Double peakPerMinute(Timeline timeline) {
    List<Timeline.Sample> samples = timeline.samples();
    if (samples.isEmpty()) {
      return null;
    }
    int peak = 0;
    int j = 0;
    for (int i = 0; i < samples.size(); i++) {
      // the first sample in (t_i - 60 s, t_i]: reloads counted after it and up to t_i are within one minute
      while (samples.get(j).atMillis() < samples.get(i).atMillis() - 60_000) {
        j++;
      }
      int base = j == 0 ? 0 : samples.get(j - 1).nginxReloads();
      peak = Math.max(peak, samples.get(i).nginxReloads() - base);
    }
    return (double) peak;
  }

  /** Requests of the shoppers whose first request came while the attack was on, and how many were denied. */
  record Arrivals(long requests, long denied, long protectedRequests, long protectedDenied) {}

  static Arrivals arrivals(Scenario scenario, List<RequestRecord> shoppers) {
    if (scenario.attackStart() == null) {
      return new Arrivals(0, 0, 0, 0);
    }
    long from = scenario.attackStart().toMillis();
    long to = scenario.attackEnd().toMillis();
    Map<String, Long> firstSeen = new java.util.HashMap<>();
    for (RequestRecord r : shoppers) {
      firstSeen.merge(r.visitor(), r.atMillis(), Math::min);
    }
    long n = 0;
    long denied = 0;
    long protectedN = 0;
    long protectedDenied = 0;
    for (RequestRecord r : shoppers) {
      long first = firstSeen.get(r.visitor());
      if (first < from || first > to) {
        continue;
      }
      n++;
      denied += r.denied() ? 1 : 0;
      if (r.protectedRoute()) {
        protectedN++;
        protectedDenied += r.denied() ? 1 : 0;
      }
    }
    return new Arrivals(n, denied, protectedN, protectedDenied);
  }

  /**
   * Seconds from the first request of {@code requests} until their success rate stays under 5 % over every 5 s
   * window (1 s steps) for as long as they keep coming; null when the last window is still above.
   */
  static Double timeToContain(List<RequestRecord> requests) {
    if (requests.isEmpty()) {
      return null;
    }
    long first = requests.get(0).atMillis();
    int buckets = (int) ((requests.get(requests.size() - 1).atMillis() - first) / 1000) + 1;
    long[] total = new long[buckets];
    long[] ok = new long[buckets];
    for (RequestRecord r : requests) {
      int b = (int) ((r.atMillis() - first) / 1000);
      total[b]++;
      if (r.ok()) {
        ok[b]++;
      }
    }
    int lastBad = -1;
    for (int k = 0; k + CONTAINMENT_WINDOW_SECONDS <= buckets; k++) {
      long t = 0;
      long o = 0;
      for (int i = k; i < k + CONTAINMENT_WINDOW_SECONDS; i++) {
        t += total[i];
        o += ok[i];
      }
      if (t > 0 && (double) o / t >= CONTAINED_SUCCESS_SHARE) {
        lastBad = k;
      }
    }
    if (lastBad < 0) {
      return 0.0;
    }
    // Contained from the start of the first window that, like every later one, stays under the share.
    int containedAt = lastBad + 1;
    if (containedAt + CONTAINMENT_WINDOW_SECONDS > buckets) {
      return null; // still getting through in the last window it was sending
    }
    return (double) containedAt;
  }

  /**
   * Bans (deny-list entries) that cover an address of a shopper or search bot, or that cover no crawler at all. A
   * network ban reaches the data plane carved around the shoppers inside it: its pieces are judged with their /16
   * (a piece between two carve-outs may hold no crawler address while its network does).
   */
  static List<String> wrongfulBans(Scenario scenario, List<String> bans) {
    Set<Long> crawlerAddresses = new HashSet<>();
    Set<Long> others = new HashSet<>();
    for (ClientGroup g : scenario.clients()) {
      for (String a : TrafficGenerator.addresses(scenario, g)) {
        (g.clientClass() == ClientClass.CRAWLER ? crawlerAddresses : others).add(Addresses.parse(a));
      }
    }
    List<String> wrongful = new ArrayList<>();
    for (String ban : bans) {
      boolean coversOther;
      boolean coversCrawler;
      try {
        long[] range = Addresses.range(ban);
        coversOther = others.stream().anyMatch(a -> a >= range[0] && a <= range[1]);
        long[] network = range[1] - range[0] < 65536 ? new long[] {range[0] & ~0xffffL, range[0] | 0xffffL} : range;
        coversCrawler = crawlerAddresses.stream().anyMatch(a -> a >= network[0] && a <= network[1]);
      } catch (IllegalArgumentException notIpv4) {
        coversOther = false;
        coversCrawler = false;
      }
      if (coversOther || !coversCrawler) {
        wrongful.add(ban);
      }
    }
    return wrongful;
  }

  /** Client label values that are no client's true address. */
  static List<String> foreignLabels(Scenario scenario, List<String> labels) {
    Set<String> truth = new HashSet<>();
    for (ClientGroup g : scenario.clients()) {
      truth.addAll(TrafficGenerator.addresses(scenario, g));
    }
    return labels.stream().filter(l -> !truth.contains(l)).sorted().toList();
  }

  static Double backToBaseline(Timeline timeline, String baseline, long afterMillis) {
    if (baseline == null) {
      return null;
    }
    Double at = null;
    for (Timeline.Sample s : timeline.samples()) {
      if (s.atMillis() < afterMillis) {
        continue;
      }
      if (baseline.equals(s.level())) {
        if (at == null) {
          at = s.atMillis() / 1000.0;
        }
      } else {
        at = null;
      }
    }
    return at;
  }

  private static Set<Integer> uniqueIds(List<RequestRecord> requests, String kind, long beforeMillis) {
    Set<Integer> ids = new HashSet<>();
    for (RequestRecord r : requests) {
      if (r.atMillis() < beforeMillis && r.kind().equals(kind) && r.ok()) {
        ids.add(r.id());
      }
    }
    return ids;
  }

  private static int commentRecords(FakeDb db, List<RequestRecord> requests, long beforeMillis) {
    return uniqueIds(requests, "comments", beforeMillis).stream().mapToInt(p -> db.comments(p).size()).sum();
  }

  /** Requests per second by class and outcome, in 1 s buckets (for the chart). */
  public static Map<String, double[]> ratesByClassAndOutcome(List<RequestRecord> truth, int seconds) {
    Map<String, double[]> out = new TreeMap<>();
    for (RequestRecord r : truth) {
      int b = (int) (r.atMillis() / 1000);
      if (b >= seconds) {
        continue;
      }
      String outcome = r.ok() ? "ok" : r.denied() ? "denied" : "other";
      out.computeIfAbsent(r.clientClass().label() + " " + outcome, k -> new double[seconds])[b]++;
    }
    return out;
  }
}
