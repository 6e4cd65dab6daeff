package io.antiscraping.operator.bench;

import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.Offenders;
import io.antiscraping.api.v1alpha1.RateLimit;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.ScrapingPolicyStatus;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.api.v1alpha1.WhenCondition;
import io.antiscraping.operator.decision.Decision;
import io.antiscraping.operator.decision.DecisionEngine;
import io.antiscraping.operator.decision.EngineState;
import io.antiscraping.operator.decision.Readings;
import io.antiscraping.operator.decision.SignalReading;
import io.antiscraping.operator.decision.StateCodec;
import io.antiscraping.operator.detection.PrometheusClient;
import io.antiscraping.operator.detection.PrometheusEndpoint;
import io.antiscraping.operator.detection.QueryCache;
import io.antiscraping.operator.detection.QueryObserver;
import io.antiscraping.operator.detection.SignalReader;
import io.antiscraping.testing.PrometheusServer;
import io.antiscraping.testing.TestExporter;
import io.prometheus.client.Gauge;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Prints throughput figures; not a test (nothing asserts a time, surefire does not run it).
 *
 * <ol>
 *   <li>Engine decisions per second for a policy with 5 signals, one of them per-client with 10,000 clients, with
 *   and without the status round trip ({@code toStatus} + {@code fromStatus}) a stateless reconciler does.</li>
 *   <li>One evaluation cycle of 1,000 policies sharing 50 distinct queries against a local real Prometheus: queries
 *   sent and wall time (8 worker threads).</li>
 * </ol>
 *
 * Run: {@code ./mvnw -o -q -pl operator test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt}
 * then {@code java -cp operator/target/test-classes:operator/target/classes:$(cat operator/target/cp.txt)
 * io.antiscraping.operator.bench.EngineBenchmark} (add {@code engine} for the engine figures only).
 */
public final class EngineBenchmark {

  private EngineBenchmark() {
  }

  /** With the argument {@code engine}, only the engine figures (no Prometheus is started). */
  public static void main(String[] args) throws Exception {
    engine();
    if (!java.util.Arrays.asList(args).contains("engine")) {
      cycle();
    }
  }

  static ScrapingPolicySpec policy(List<String> queries, String perClientQuery) {
    List<Signal> signals = new ArrayList<>();
    for (int i = 0; i < queries.size(); i++) {
      signals.add(Signal.builder().name("s" + i).query(queries.get(i)).build());
    }
    signals.add(Signal.builder().name("clients").query(perClientQuery).perClient(new Signal.PerClient("client"))
        .build());
    List<Level> levels = new ArrayList<>();
    levels.add(Level.builder().name("normal").rateLimit(RateLimit.builder().requestsPerSecond(50).build()).build());
    levels.add(Level.builder().name("elevated").when(new ArrayList<>(List.of(
        WhenCondition.builder().signal("s0").above(200.0).forDuration("1m").build(),
        WhenCondition.builder().signal("s1").above(10.0).forDuration("1m").build())))
        .rateLimit(RateLimit.builder().requestsPerSecond(10).build()).build());
    levels.add(Level.builder().name("high").when(new ArrayList<>(List.of(
        WhenCondition.builder().signal("s2").above(1000.0).forDuration("2m").build(),
        WhenCondition.builder().signal("s3").below(0.5).forDuration("2m").build())))
        .rateLimit(RateLimit.builder().requestsPerSecond(2).build()).build());
    return ScrapingPolicySpec.builder().targets(new Targets()).signals(signals).levels(levels)
        .offenders(Offenders.builder().signal("clients").above(20.0).forDuration("1m").banFor("1h")
            .maxBanned(5000).build())
        .build();
  }

  static void engine() {
    engine(false, false, false);
    engine(true, false, false);
    engine(true, true, false);
    engine(true, true, true);
  }

  /**
   * With {@code aggregate}: prefix aggregation per /24 (sum above 30, members above 2), a known-good signal with
   * 10,000 more clients (a third of them known-good) and a lockdown at the level in force; with {@code levelBar} also
   * a level-scoped bar there (10 instead of 20: five times the bans).
   */
  static ScrapingPolicySpec aggregate(ScrapingPolicySpec spec, boolean levelBar) {
    List<Signal> signals = new ArrayList<>(spec.getSignals());
    signals.add(Signal.builder().name("good").query("g").perClient(new Signal.PerClient("client")).build());
    List<Level> levels = new ArrayList<>(spec.getLevels());
    levels.set(1, levels.get(1).toBuilder()
        .offenders(levelBar ? io.antiscraping.api.v1alpha1.LevelOffenders.builder().above(10.0).forDuration("30s")
            .build() : null)
        .routeBudget(io.antiscraping.api.v1alpha1.RouteBudget.builder().requestsPerSecond(0).build()).build());
    return spec.toBuilder().signals(signals).levels(levels)
        .knownGood(io.antiscraping.api.v1alpha1.KnownGood.builder().signal("good").above(0.5).maxClients(5000).build())
        .offenders(spec.getOffenders().toBuilder().prefixes(io.antiscraping.api.v1alpha1.PrefixAggregation.builder()
            .above(30.0).memberAbove(2.0).forDuration("1m").build()).build())
        .build();
  }

  /**
   * Network bans on top of {@link #aggregate}: the per-client signal summed per /16 from the level in force, with a
   * shopper-like signal of 5,000 more clients whose members inside a banned network are carved out of its ban.
   */
  static ScrapingPolicySpec networks(ScrapingPolicySpec spec) {
    List<Signal> signals = new ArrayList<>(spec.getSignals());
    signals.add(Signal.builder().name("shop").query("h").perClient(new Signal.PerClient("client")).build());
    return spec.toBuilder().signals(signals)
        .offenders(spec.getOffenders().toBuilder().networks(io.antiscraping.api.v1alpha1.NetworkAggregation.builder()
            .fromLevel("elevated").signal("clients").above(100.0).memberAbove(1.0).minSuspiciousShare(0.8)
            .minMembers(10).shoppers("shop").maxCarveOuts(32).forDuration("1m").build()).build())
        .build();
  }

  static void engine(boolean aggregate, boolean levelBar, boolean networks) {
    ScrapingPolicySpec spec = policy(List.of("a", "b", "c", "d"), "e");
    if (aggregate) {
      spec = aggregate(spec, levelBar);
    }
    if (networks) {
      spec = networks(spec);
    }
    Random rnd = new Random(1);
    Map<String, Double> clients = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      String ip = (1 + rnd.nextInt(223)) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256);
      // ~10% of the clients above the offenders threshold
      clients.put(ip, (double) (rnd.nextInt(10) == 0 ? 21 + rnd.nextInt(500) : rnd.nextInt(20)));
    }
    Map<String, SignalReading> m = new HashMap<>();
    m.put("s0", new SignalReading.Scalar(250));
    m.put("s1", new SignalReading.Scalar(12));
    m.put("s2", new SignalReading.Scalar(400));
    m.put("s3", new SignalReading.Scalar(3));
    m.put("clients", new SignalReading.PerClient(clients));
    if (aggregate) {
      Map<String, Double> good = new HashMap<>();
      for (int i = 0; i < 10_000; i++) {
        String ip = (1 + rnd.nextInt(223)) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256);
        good.put(ip, rnd.nextInt(3) == 0 ? 1.0 : 0.1);
      }
      // A few /24s packed with a crawl: 30 members each at 3.
      for (int p = 0; p < 20; p++) {
        for (int c = 1; c <= 30; c++) {
          clients.put("203.0." + p + "." + c, 3.0);
        }
      }
      m.put("good", new SignalReading.PerClient(good));
    }
    if (networks) {
      // Ten /16s of a rotating pool: 150 members each at 3, and 10 shopper-like members in each to carve out.
      Map<String, Double> shop = new HashMap<>();
      for (int p = 0; p < 10; p++) {
        for (int c = 0; c < 150; c++) {
          clients.put("100." + (70 + p) + "." + rnd.nextInt(256) + "." + (1 + rnd.nextInt(254)), 3.0);
        }
        for (int c = 0; c < 10; c++) {
          String ip = "100." + (70 + p) + "." + rnd.nextInt(256) + "." + (1 + rnd.nextInt(254));
          clients.put(ip, 0.5);
          shop.put(ip, 1.0);
        }
      }
      while (shop.size() < 5_000) {
        shop.put((1 + rnd.nextInt(223)) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256),
            1.0);
      }
      m.put("clients", new SignalReading.PerClient(clients));
      m.put("shop", new SignalReading.PerClient(shop));
    }
    Readings readings = new Readings(m);
    DecisionEngine engine = new DecisionEngine();

    for (boolean roundTrip : new boolean[] {false, true}) {
      EngineState state = EngineState.initial(spec, Instant.parse("2026-03-01T12:00:00Z"));
      ScrapingPolicyStatus status = null;
      Instant t = Instant.parse("2026-03-01T12:00:00Z");
      int warm = 200;
      int n = 0;
      long start = 0;
      Decision d = null;
      while (true) {
        if (n == warm) {
          start = System.nanoTime();
        }
        t = t.plusSeconds(30);
        if (roundTrip) {
          state = StateCodec.fromStatus(spec, status, t);
        }
        d = engine.decide(spec, state, readings, t, d == null ? null : d.published());
        state = d.next();
        if (roundTrip) {
          status = new ScrapingPolicyStatus();
          StateCodec.toStatus(d, status);
        }
        n++;
        if (n > warm && System.nanoTime() - start > 5_000_000_000L) {
          break;
        }
      }
      double secs = (System.nanoTime() - start) / 1e9;
      System.out.printf("engine%s%s: %d decisions in %.2f s = %.1f decisions/s (%.2f ms each); %d clients, "
              + "%d bans in force (the book maxBanned caps), %d deny entries (network bans minus their carve-outs), "
              + "%d pending offenders, %d known-good%n", aggregate ? " with aggregation + known-good + lockdown"
              + (levelBar ? " + level-scoped bar" : "") + (networks ? " + network bans" : "") : "",
          roundTrip ? " + status round trip" : "", n - warm, secs,
          (n - warm) / secs, secs * 1000 / (n - warm), clients.size(), d.next().bans().size(), d.plan().bans().size(),
          d.next().offending().size(), d.plan().knownGood().size());
    }
  }

  static void cycle() throws Exception {
    try (TestExporter exporter = TestExporter.start()) {
      Gauge shard = exporter.gauge("lab_shard", "A per-shard rate.", "shard");
      Gauge byClient = exporter.gauge("lab_clients", "A per-client rate.", "group", "client");
      for (int i = 0; i < 45; i++) {
        shard.labels(Integer.toString(i)).set(100 + i);
      }
      for (int g = 0; g < 5; g++) {
        for (int c = 0; c < 200; c++) {
          byClient.labels(Integer.toString(g), "198.51." + g + "." + c).set(c % 40);
        }
      }
      try (PrometheusServer prometheus = PrometheusServer.builder().scrapeInterval("1s")
          .target(exporter.target(), "bench").start()) {
        prometheus.awaitReady("lab_clients", PrometheusServer.DEFAULT_READY_TIMEOUT);
        List<String> scalarQueries = new ArrayList<>();
        for (int i = 0; i < 45; i++) {
          scalarQueries.add("sum(lab_shard{shard=\"" + i + "\"})");
        }
        List<ScrapingPolicySpec> policies = new ArrayList<>();
        for (int p = 0; p < 1000; p++) {
          List<String> qs = new ArrayList<>();
          for (int j = 0; j < 4; j++) {
            qs.add(scalarQueries.get((p * 4 + j) % 45));
          }
          policies.add(policy(qs, "max by (client) (lab_clients{group=\"" + (p % 5) + "\"})"));
        }
        PrometheusEndpoint ep = PrometheusEndpoint.of(prometheus.url());
        PrometheusClient client = new PrometheusClient(QueryObserver.NONE);
        DecisionEngine engine = new DecisionEngine();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<EngineState> states = new ArrayList<>();
        for (ScrapingPolicySpec spec : policies) {
          states.add(EngineState.initial(spec, Instant.now()));
        }
        try {
          for (int round = 1; round <= 3; round++) {
            QueryCache cache = new QueryCache(client);
            SignalReader reader = new SignalReader(cache);
            Instant now = Instant.now();
            long start = System.nanoTime();
            List<Future<Decision>> fs = new ArrayList<>();
            for (int p = 0; p < policies.size(); p++) {
              ScrapingPolicySpec spec = policies.get(p);
              EngineState st = states.get(p);
              fs.add(pool.submit(() -> engine.decide(spec, st, reader.read(ep, spec.getSignals()), now)));
            }
            int unavailable = 0;
            for (int p = 0; p < fs.size(); p++) {
              Decision d = fs.get(p).get(60, TimeUnit.SECONDS);
              states.set(p, d.next());
              unavailable += d.metrics().available() ? 0 : 1;
            }
            double ms = (System.nanoTime() - start) / 1e6;
            System.out.printf("cycle %d: 1,000 policies x 5 signals (50 distinct queries): %d queries asked, %d sent "
                    + "to Prometheus, %.0f ms wall time (8 threads), %d policies with metrics unavailable%n", round,
                cache.queriesAsked(), cache.queriesSent(), ms, unavailable);
          }
        } finally {
          pool.shutdownNow();
        }
      }
    }
  }
}
