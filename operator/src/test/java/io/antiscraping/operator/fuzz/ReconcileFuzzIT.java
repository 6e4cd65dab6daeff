package io.antiscraping.operator.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.antiscraping.api.v1alpha1.Allowlist;
import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.Offenders;
import io.antiscraping.api.v1alpha1.PrefixAggregation;
import io.antiscraping.api.v1alpha1.PrometheusSource;
import io.antiscraping.api.v1alpha1.RateLimit;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Selector;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.api.v1alpha1.Waf;
import io.antiscraping.api.v1alpha1.WhenCondition;
import io.antiscraping.operator.decision.Cidr;
import io.antiscraping.operator.decision.DecisionEngine;
import io.antiscraping.operator.decision.EnforcementPlan;
import io.antiscraping.operator.decision.Plans;
import io.antiscraping.operator.detection.PrometheusAccess;
import io.antiscraping.operator.detection.QueryResult;
import io.antiscraping.operator.detection.QueryRunner;
import io.antiscraping.operator.detection.SignalReader;
import io.antiscraping.operator.detection.TenantLimits;
import io.antiscraping.operator.enforcement.EnforcementReport;
import io.antiscraping.operator.enforcement.Enforcer;
import io.antiscraping.operator.enforcement.PolicyRef;
import io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations;
import io.antiscraping.operator.metrics.OperatorMetrics;
import io.antiscraping.operator.reconciler.EventRecorder;
import io.antiscraping.operator.reconciler.LiveEvaluator;
import io.antiscraping.operator.reconciler.ScrapingPolicyReconciler;
import io.antiscraping.operator.reconciler.StatusWriter;
import io.antiscraping.operator.validation.PolicyValidator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The fuzz suite of the security review: random policies (valid and invalid), random Prometheus answers (scalars,
 * vectors of random label values, NaN and infinities, every failure kind) and random client label values, through
 * the real reconciler, evaluator, decision engine and status writer (against a recording HTTP endpoint standing in
 * for the API server; the data plane is a recording enforcer). Invariants:
 * <ul>
 *   <li>no exception escapes a reconcile, and every reconcile reschedules;</li>
 *   <li>an invalid policy never reaches the data plane;</li>
 *   <li>no ban outside the rules: every ban covers a client some answer named, overlaps neither the allowlist nor
 *       the never-banned ranges, is not broader than the policy's prefix lengths, and there are at most maxBanned;</li>
 *   <li>the status written stays under 256 KiB, and the annotations rendered from any plan under their budget.</li>
 * </ul>
 * Each case is driven by one seed (printed by jqwik on failure, so that it can be replayed).
 */
class ReconcileFuzzIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String NS = "shop";
  static HttpServer api;
  static KubernetesClient client;
  static final List<Integer> statusSizes = new CopyOnWriteArrayList<>();
  static final AtomicInteger reconciles = new AtomicInteger();
  static final AtomicInteger invalidCases = new AtomicInteger();
  static final AtomicInteger validCases = new AtomicInteger();
  static final AtomicInteger bansSeen = new AtomicInteger();

  @BeforeContainer
  static void startApi() throws IOException {
    // Small answers without Nagle's delay (else each request waits for a delayed ACK, about 40 ms).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    api.createContext("/", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      String path = ex.getRequestURI().getPath();
      String answer;
      if (path.contains("/scrapingpolicies/")) {
        if (path.endsWith("/status")) {
          JsonNode patch = JSON.readTree(body);
          statusSizes.add(JSON.writeValueAsBytes(patch.get(0).get("value")).length);
        }
        answer = "{\"apiVersion\":\"antiscraping.io/v1alpha1\",\"kind\":\"ScrapingPolicy\",\"metadata\":{\"name\":\"p\","
            + "\"namespace\":\"" + NS + "\"}}";
      } else {
        answer = "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"e\",\"namespace\":\"" + NS + "\"}}";
      }
      byte[] out = answer.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(200, out.length);
      ex.getResponseBody().write(out);
      ex.close();
    });
    api.start();
    client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
        .withMasterUrl("http://127.0.0.1:" + api.getAddress().getPort()).withRequestRetryBackoffLimit(0)
        .withNamespace(NS).build()).build();
  }

  @AfterContainer
  static void report() {
    System.out.printf("ReconcileFuzzIT: %d cases (%d valid, %d invalid policies), %d reconciles, %d bans checked, "
            + "largest status %d bytes%n", validCases.get() + invalidCases.get(), validCases.get(), invalidCases.get(),
        reconciles.get(), bansSeen.get(), statusSizes.stream().mapToInt(Integer::intValue).max().orElse(0));
    client.close();
    api.stop(0);
  }

  /** The cluster DNS of the test: every name is an ordinary pod address (no lookup leaves the JVM). */
  static final PrometheusAccess.Resolver CLUSTER_DNS = host -> new InetAddress[] {
      InetAddress.getByAddress(host, new byte[] {10, 96, 0, 10})};

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-03-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** The data plane: records what it is asked to enforce, writes nothing. */
  static final class RecordingEnforcer implements Enforcer {
    final List<EnforcementPlan> plans = new ArrayList<>();
    int calls;

    @Override
    public Targets.Provider provider() {
      return Targets.Provider.INGRESS_NGINX;
    }

    @Override
    public Class<? extends HasMetadata> targetType() {
      return Ingress.class;
    }

    @Override
    public List<io.antiscraping.operator.enforcement.ApiKind> kinds() {
      return List.of(); // no informer: the candidates are none
    }

    @Override
    public EnforcementReport enforce(PolicyRef policy, List<PolicyRef> competing, List<? extends HasMetadata> candidates,
                                     EnforcementPlan plan, boolean dryRun) {
      calls++;
      plans.add(plan);
      return new EnforcementReport(List.of(new EnforcementReport.TargetResult("Ingress", "web", true, "ok")),
          List.of(), List.of(), List.of(), 0);
    }

    @Override
    public EnforcementReport cleanup(PolicyRef policy, List<? extends HasMetadata> candidates) {
      calls++;
      return new EnforcementReport(List.of(), List.of(), List.of(), List.of(), 0);
    }

    @Override
    public boolean ownedBy(HasMetadata target, String policyName) {
      return false;
    }
  }

  @SuppressWarnings("unchecked")
  static Context<ScrapingPolicy> context() {
    IndexedResourceCache<ScrapingPolicy> cache = (IndexedResourceCache<ScrapingPolicy>) Proxy.newProxyInstance(
        ReconcileFuzzIT.class.getClassLoader(), new Class<?>[] {IndexedResourceCache.class},
        (p, m, args) -> m.getName().equals("list") ? Stream.empty() : m.getReturnType() == Optional.class
            ? Optional.empty() : null);
    return (Context<ScrapingPolicy>) Proxy.newProxyInstance(ReconcileFuzzIT.class.getClassLoader(),
        new Class<?>[] {Context.class}, (p, m, args) -> switch (m.getName()) {
          case "getPrimaryCache" -> cache;
          case "getClient" -> client;
          case "getRetryInfo", "getSecondaryResource" -> Optional.empty();
          case "getSecondaryResources" -> Set.of();
          case "isNextReconciliationImminent", "isPrimaryResourceDeleted", "isPrimaryResourceFinalStateUnknown" ->
              false;
          default -> throw new UnsupportedOperationException("the reconciler asked the context for " + m.getName());
        });
  }

  @Property(tries = 400)
  void reconcilingRandomPoliciesAndAnswersKeepsEveryInvariant(@ForAll long seed) {
    Random rnd = new Random(seed);
    ScrapingPolicySpec spec = RandomPolicies.spec(rnd);
    ScrapingPolicy policy = new ScrapingPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName("p").withNamespace(NS).withUid("uid-" + seed).withGeneration(1L)
        .withCreationTimestamp("2026-03-01T00:00:00Z").build());
    policy.setSpec(spec);
    boolean valid = PolicyValidator.validate(spec).isEmpty();
    (valid ? validCases : invalidCases).incrementAndGet();

    List<QueryResult> answers = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      answers.add(RandomAnswers.result(rnd));
    }
    List<Cidr> named = new ArrayList<>();
    AtomicInteger next = new AtomicInteger();
    // Mostly what each signal expects (a number for the aggregate, a vector for the per-client one), now and then
    // anything at all.
    QueryRunner prometheus = (ep, q) -> {
      QueryResult any = answers.get(Math.floorMod(next.getAndIncrement(), answers.size()));
      QueryResult r = rnd.nextInt(5) == 0 ? any
          : q.contains("by (client)") ? any instanceof QueryResult.Vector ? any : RandomAnswers.vector(rnd)
          : new QueryResult.Scalar(rnd.nextInt(10) == 0 ? Double.NaN : rnd.nextDouble() * 300);
      if (r instanceof QueryResult.Vector v) {
        v.series().forEach(s -> s.labels().values().forEach(l -> Cidr.parse(l).map(Cidr::unmapIpv4)
            .ifPresent(named::add)));
      }
      return r;
    };

    TestClock clock = new TestClock();
    OperatorMetrics metrics = new OperatorMetrics(new CollectorRegistry());
    LiveEvaluator evaluator = new LiveEvaluator(new SignalReader(prometheus), new DecisionEngine(),
        (n, s, k) -> LiveEvaluator.SecretSource.Lookup.found("token"), new PrometheusAccess(URI.create(
            "http://prometheus.monitoring:9090"), List.of(), false, CLUSTER_DNS), URI.create(
            "http://prometheus.monitoring:9090"),
        new TenantLimits(4, 100_000, clock), clock, metrics);
    RecordingEnforcer dataPlane = new RecordingEnforcer();
    ScrapingPolicyReconciler reconciler = new ScrapingPolicyReconciler(Map.of(dataPlane.provider(), dataPlane),
        evaluator, new StatusWriter(client, (k, v) -> { }, clock), new EventRecorder(client, clock, (k, v) -> { }),
        metrics, clock);
    Context<ScrapingPolicy> ctx = context();

    for (int round = 0; round < 4; round++) {
      UpdateControl<ScrapingPolicy> control = reconciler.reconcile(policy, ctx);
      reconciles.incrementAndGet();
      assertThat(control.getScheduleDelay()).as("every reconcile reschedules").isPresent();
      clock.now = clock.now.plusSeconds(31 + rnd.nextInt(120));
    }

    if (!valid) {
      assertThat(dataPlane.calls).as("an invalid policy never reaches the data plane: %s",
          PolicyValidator.validate(spec)).isZero();
      return;
    }
    List<Cidr> allowlist = Plans.allowlist(spec);
    Offenders o = spec.getOffenders();
    for (EnforcementPlan plan : dataPlane.plans) {
      assertThat(IngressNginxAnnotations.size(IngressNginxAnnotations.render(plan, rnd.nextBoolean()).annotations()))
          .isLessThanOrEqualTo(IngressNginxAnnotations.DEFAULT_BUDGET_BYTES);
      if (!plan.bans().isEmpty()) {
        assertThat(o).as("bans without spec.offenders").isNotNull();
        assertThat(plan.bans().size()).isLessThanOrEqualTo(o.getMaxBanned() == null ? Offenders.DEFAULT_MAX_BANNED
            : o.getMaxBanned());
      }
      for (Cidr ban : plan.bans()) {
        bansSeen.incrementAndGet();
        assertThat(named).as("ban %s covers a client an answer named", ban).anyMatch(ban::overlaps);
        assertThat(allowlist).as("ban %s spares the allowlist", ban).noneMatch(ban::overlaps);
        assertThat(Plans.NEVER_BANNED).as("ban %s spares the special ranges", ban).noneMatch(ban::overlaps);
        boolean v4 = !ban.ipv6();
        int broadest = v4 ? o.getIpv4PrefixLength() : o.getIpv6PrefixLength();
        if (o.getPrefixes() != null) {
          broadest = Math.min(broadest, v4 ? o.getPrefixes().getIpv4PrefixLength()
              : o.getPrefixes().getIpv6PrefixLength());
        }
        assertThat(ban.prefixLength()).as("ban %s is not broader than the policy allows", ban)
            .isGreaterThanOrEqualTo(broadest);
      }
    }
    assertThat(statusSizes).allSatisfy(n -> assertThat(n).isLessThan(256 * 1024));
  }

  /** Finding 8: a policy asking to be evaluated every second is evaluated no more often than the admin's floor. */
  @net.jqwik.api.Example
  void theMinimumEvaluationIntervalIsAFloorForEveryPolicy() {
    ScrapingPolicySpec spec = ScrapingPolicySpec.builder()
        .targets(Targets.builder().selector(Selector.builder().matchLabels(new LinkedHashMap<>(Map.of("app", "shop")))
            .build()).build())
        .signals(new ArrayList<>(List.of(Signal.builder().name("reads").query("sum(rate(reads[1m]))").build())))
        .levels(new ArrayList<>(List.of(Level.builder().name("normal")
            .rateLimit(RateLimit.builder().requestsPerSecond(50).build()).build())))
        .evaluationInterval("1s")
        .build();
    assertThat(PolicyValidator.validate(spec)).isEmpty();
    ScrapingPolicy policy = new ScrapingPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName("p").withNamespace(NS).withUid("uid-floor").withGeneration(1L)
        .build());
    policy.setSpec(spec);
    TestClock clock = new TestClock();
    OperatorMetrics metrics = new OperatorMetrics(new CollectorRegistry());
    LiveEvaluator evaluator = new LiveEvaluator(new SignalReader((ep, q) -> new QueryResult.Scalar(1)),
        new DecisionEngine(), (n, s, k) -> LiveEvaluator.SecretSource.Lookup.missing("none"),
        URI.create("http://prometheus.monitoring:9090"), metrics);
    RecordingEnforcer dataPlane = new RecordingEnforcer();
    for (Duration floor : List.of(Duration.ZERO, Duration.ofSeconds(10))) {
      ScrapingPolicyReconciler reconciler = new ScrapingPolicyReconciler(Map.of(dataPlane.provider(), dataPlane),
          evaluator, new StatusWriter(client, (k, v) -> { }, clock), new EventRecorder(client, clock, (k, v) -> { }),
          metrics, clock, floor);
      long delay = reconciler.reconcile(policy, context()).getScheduleDelay().orElseThrow();
      assertThat(delay).as("floor %s", floor).isEqualTo(floor.isZero() ? 1000 : 10_000);
    }
  }

  /** Random policies: a plausible core with every field now and then replaced by something hostile or absent. */
  static final class RandomPolicies {

    static final List<String> DURATIONS = List.of("0s", "1s", "10s", "30s", "1m", "5m", "1h", "", "-1s", "1d",
        "1s".repeat(1000), "999999999h".repeat(3), "1h30m", "0.5s", "100ms", "3650d", "87600h", "abc");

    static final List<String> GOOD_DURATIONS = List.of("1s", "10s", "30s", "1m", "2m", "5m", "1h");
    /** Whether the policy being built may get hostile values (a third of the cases); the others are sane. */
    static final ThreadLocal<Boolean> HOSTILE = ThreadLocal.withInitial(() -> true);

    /** A hostile choice now and then, only in a hostile case. */
    static boolean sane(Random r, int oneIn) {
      return !HOSTILE.get() || r.nextInt(oneIn) != 0;
    }

    static String pick(Random r, List<String> xs) {
      if (xs == DURATIONS && sane(r, 5)) {
        return GOOD_DURATIONS.get(r.nextInt(GOOD_DURATIONS.size()));
      }
      return xs.get(r.nextInt(xs.size()));
    }

    static Double number(Random r) {
      if (sane(r, 5)) {
        return (double) 1 + r.nextInt(60);
      }
      return switch (r.nextInt(9)) {
        case 0 -> Double.NaN;
        case 1 -> Double.POSITIVE_INFINITY;
        case 2 -> -1.0;
        case 3 -> null;
        case 4 -> 0.0;
        case 5 -> 1e300;
        default -> (double) r.nextInt(200);
      };
    }

    static Integer integer(Random r, int typical) {
      if (sane(r, 4)) {
        return typical;
      }
      return switch (r.nextInt(8)) {
        case 0 -> null;
        case 1 -> 0;
        case 2 -> -5;
        case 3 -> Integer.MAX_VALUE;
        case 4 -> 1 + r.nextInt(200);
        default -> typical;
      };
    }

    static String cidr(Random r) {
      if (sane(r, 3)) {
        return "198.51.100." + r.nextInt(256);
      }
      return switch (r.nextInt(9)) {
        case 0 -> "10.0.0.0/8";
        case 1 -> "192.0.2." + r.nextInt(256);
        case 2 -> "::ffff:10.0.0.0/104";
        case 3 -> "2001:db8::/32";
        case 4 -> "0.0.0.0/0";
        case 5 -> "not-a-cidr";
        case 6 -> "203.0.113.0/" + r.nextInt(40);
        case 7 -> "fe80::1";
        default -> RandomAnswers.label(r);
      };
    }

    static Waf waf(Random r) {
      Waf.Mode mode = Waf.Mode.values()[r.nextInt(3)];
      boolean crs = mode != Waf.Mode.DISABLED ? sane(r, 3) : !sane(r, 3);
      Integer paranoia = null;
      if (crs && r.nextBoolean()) {
        paranoia = sane(r, 3) ? 1 + r.nextInt(4) : r.nextInt(6);
      } else if (!sane(r, 5)) {
        paranoia = 2;
      }
      return Waf.builder().mode(mode).coreRuleSet(crs).paranoiaLevel(paranoia).build();
    }

    static ScrapingPolicySpec spec(Random r) {
      HOSTILE.set(r.nextInt(3) == 0);
      List<Signal> signals = new ArrayList<>();
      signals.add(Signal.builder().name("reads").query("sum(rate(reads[1m]))").build());
      signals.add(Signal.builder().name("clients").query("sum by (client) (rate(reqs[1m]))")
          .perClient(new Signal.PerClient(sane(r, 10) ? "client" : "")).build());
      for (int i = 0, n = r.nextInt(4) == 0 ? r.nextInt(40) : 0; i < n; i++) {
        signals.add(Signal.builder().name(sane(r, 10) ? "s" + i : "reads").query(sane(r, 10) ? "up" : "")
            .build());
      }
      List<Level> levels = new ArrayList<>();
      levels.add(Level.builder().name("normal").rateLimit(RateLimit.builder().requestsPerSecond(integer(r, 50))
          .burstMultiplier(integer(r, 5)).build()).waf(waf(r))
          .build());
      for (int i = 0, n = r.nextInt(4); i < n; i++) {
        WhenCondition w = r.nextBoolean()
            ? WhenCondition.builder().signal(sane(r, 8) ? "reads" : "missing").above(number(r))
                .forDuration(pick(r, DURATIONS)).build()
            : WhenCondition.builder().signal("reads").below(number(r)).build();
        levels.add(Level.builder().name(sane(r, 10) ? "level" + i : "normal").when(new ArrayList<>(List.of(w)))
            .rateLimit(RateLimit.builder().requestsPerSecond(integer(r, 10)).requestsPerMinute(r.nextBoolean() ? null
                : integer(r, 300)).connections(integer(r, 20)).build()).build());
      }
      Offenders offenders = null;
      if (sane(r, 5)) {
        int v4 = sane(r, 3) ? 24 + r.nextInt(9) : r.nextInt(40);
        int v6 = sane(r, 3) ? 48 + r.nextInt(81) : r.nextInt(140);
        Offenders.OffendersBuilder ob = Offenders.builder().signal(sane(r, 10) ? "clients" : "reads")
            .above(number(r)).forDuration(pick(r, DURATIONS)).banFor(pick(r, DURATIONS))
            .maxBanned(integer(r, 1 + r.nextInt(50)))
            .ipv4PrefixLength(v4).ipv6PrefixLength(v6);
        if (r.nextInt(3) == 0 && v4 > 17 && v6 > 33) {
          ob.prefixes(PrefixAggregation.builder()
              .ipv4PrefixLength(sane(r, 4) ? 16 + r.nextInt(v4 - 16) : 8 + r.nextInt(25))
              .ipv6PrefixLength(sane(r, 4) ? 32 + r.nextInt(v6 - 32) : 16 + r.nextInt(113))
              .above(number(r)).forDuration(pick(r, DURATIONS)).build());
        }
        offenders = ob.build();
      }
      List<String> allow = new ArrayList<>();
      for (int i = 0, n = r.nextInt(5); i < n; i++) {
        allow.add(cidr(r));
      }
      Map<String, String> labels = new HashMap<>(Map.of("app", "shop"));
      return ScrapingPolicySpec.builder()
          .targets(Targets.builder().selector(Selector.builder().matchLabels(new LinkedHashMap<>(labels)).build())
              .build())
          .prometheus(sane(r, 6) ? null : PrometheusSource.builder().url(pick(r, List.of(
              "http://prometheus.monitoring:9090", "http://169.254.169.254/latest/meta-data/?x=",
              "http://u:p@prom:9090", "https://prom.example/#frag", "ftp://prom", "http://prom:9090/prefix")))
              .timeout(pick(r, DURATIONS)).build())
          .evaluationInterval(pick(r, DURATIONS))
          .cooldown(pick(r, DURATIONS))
          .staleAfter(pick(r, DURATIONS))
          .signals(signals)
          .levels(levels)
          .offenders(offenders)
          .allowlist(new Allowlist(allow))
          .onMetricsUnavailable(ScrapingPolicySpec.OnMetricsUnavailable.values()[r.nextInt(
              ScrapingPolicySpec.OnMetricsUnavailable.values().length)])
          .dryRun(r.nextInt(6) == 0)
          .build();
    }
  }

  /** Random Prometheus answers, as the client would hand them on: numbers, vectors of random labels, failures. */
  static final class RandomAnswers {

    static String label(Random r) {
      return switch (r.nextInt(14)) {
        case 0 -> (r.nextInt(256)) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256);
        case 1 -> "203.0.113." + r.nextInt(256);
        case 2 -> String.format("2001:db8:%x::%x", r.nextInt(65536), r.nextInt(65536));
        case 3 -> "::ffff:198.51.100." + r.nextInt(256);
        case 4 -> "::1";
        case 5 -> "127.0.0.1";
        case 6 -> "169.254.169.254";
        case 7 -> "10.0.0.0/8";
        case 8 -> "";
        case 9 -> "x".repeat(r.nextInt(5000));
        case 10 -> "198.51.100.7\n-----BEGIN PRIVATE KEY-----";
        case 11 -> "::";
        case 12 -> String.format("2001:db8:%x:%x::/%d", r.nextInt(65536), r.nextInt(65536), r.nextInt(129));
        default -> new String(new char[] {(char) r.nextInt(0x3000), (char) r.nextInt(128), '\u202e'});
      };
    }

    static double value(Random r) {
      return switch (r.nextInt(8)) {
        case 0 -> Double.NaN;
        case 1 -> Double.POSITIVE_INFINITY;
        case 2 -> Double.NEGATIVE_INFINITY;
        case 3 -> -r.nextDouble() * 100;
        case 4 -> Double.MAX_VALUE;
        default -> r.nextDouble() * 300;
      };
    }

    static QueryResult result(Random r) {
      switch (r.nextInt(6)) {
        case 0:
          return new QueryResult.Scalar(value(r));
        case 1:
          QueryResult.Kind kind = QueryResult.Kind.values()[r.nextInt(QueryResult.Kind.values().length)];
          return new QueryResult.Failure(kind, "failure " + kind);
        default:
          return vector(r);
      }
    }

    static QueryResult vector(Random r) {
      List<QueryResult.Series> series = new ArrayList<>();
      int n = r.nextInt(5) == 0 ? r.nextInt(3000) : r.nextInt(30);
      for (int i = 0; i < n; i++) {
        Map<String, String> labels = new HashMap<>();
        if (r.nextInt(10) != 0) {
          labels.put("client", label(r));
        }
        series.add(new QueryResult.Series(labels, value(r)));
      }
      return new QueryResult.Vector(series, r.nextInt(4) == 0 ? r.nextInt(1000) : 0);
    }
  }
}
