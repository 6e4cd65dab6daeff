package io.antiscraping.operator.reconciler;

import static io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations.DENYLIST_SOURCE_RANGE;
import static io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations.LIMIT_RPS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.Offenders;
import io.antiscraping.api.v1alpha1.PrometheusSource;
import io.antiscraping.api.v1alpha1.RateLimit;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.api.v1alpha1.StatusCondition;
import io.antiscraping.api.v1alpha1.WhenCondition;
import io.antiscraping.operator.apiserver.ApiServer;
import io.antiscraping.operator.apiserver.FaultProxy;
import io.antiscraping.operator.runtime.OperatorRuntime;
import io.antiscraping.operator.runtime.Guards;
import io.antiscraping.operator.runtime.OperatorSettings;
import io.antiscraping.operator.detection.PrometheusAccess;
import io.antiscraping.testing.PrometheusServer;
import io.antiscraping.testing.TestExporter;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.prometheus.client.Gauge;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Detection and decision end to end: a real Prometheus scrapes an exporter in this JVM whose gauges the test drives;
 * the operator evaluates every second against the in-JVM API server. What is asserted is what a user sees: the
 * level in status, the Ingress annotations, Events.
 */
class LiveDecisionIT {

  static final Duration INTERVAL = Duration.ofSeconds(1);
  static final String OFFENDER = "198.51.100.7";
  static final String SHOPPER = "198.51.100.8";
  static final String ALLOWLISTED = "10.1.2.3";

  TestExporter exporter;
  PrometheusServer prometheus;
  Gauge profileReads;
  Gauge clientRate;
  ApiServer api;
  OperatorRuntime operator;
  KubernetesClient user;
  String ns;

  @BeforeEach
  void start(TestInfo info) {
    exporter = TestExporter.start();
    profileReads = exporter.gauge("test_profile_reads", "profile records served per second");
    clientRate = exporter.gauge("test_client_rate", "requests per second by client", "client");
    profileReads.set(10);
    prometheus = PrometheusServer.builder().scrapeInterval("500ms").target(exporter.target(), "storefront").start();
    prometheus.awaitReady("test_profile_reads", Duration.ofSeconds(60));
    api = ApiServer.start("LiveDecisionIT-" + info.getTestMethod().orElseThrow().getName());
    user = api.userClient();
    ns = api.namespace("shop");
    startOperator();
    user.resource(OperatorRuntimeIT.ingress(ns, "web")).create();
  }

  void startOperator() {
    // The test's Prometheus listens on loopback without TLS: the admin names that host and lets a token travel
    // over http (both refused by default).
    startOperator(guards(List.of("127.0.0.1"), true));
  }

  /** The test evaluates every second: no minimum evaluation interval. */
  static Guards guards(List<String> allowedUrls, boolean tokenOverHttp) {
    return Guards.defaults().withMinEvaluationInterval(Duration.ZERO).withPrometheusAllowedUrls(allowedUrls)
        .withBearerTokenOverHttp(tokenOverHttp);
  }

  void startOperator(Guards guards) {
    operator = OperatorRuntime.start(api.operatorClient(), OperatorSettings.defaults()
        .withDefaultPrometheusUrl(prometheus.uri()).withGuards(guards));
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
    if (api != null) {
      api.close();
    }
    if (prometheus != null) {
      prometheus.close();
    }
    if (exporter != null) {
      exporter.close();
    }
  }

  @Test
  void escalatesWithinTwoCyclesHoldsThroughANoisyPlateauAndRelaxesOnlyAfterTheCooldown() throws Exception {
    user.resource(policy(spec -> spec.setCooldown("6s"))).create();
    awaitLevel("normal");
    assertThat(annotations()).containsEntry(LIMIT_RPS, "50");

    profileReads.set(250);
    prometheus.awaitResult("test_profile_reads", r -> value(r) > 100, Duration.ofSeconds(10));
    Instant crossed = Instant.now();
    awaitLevel("elevated");
    Duration toEscalate = Duration.between(crossed, Instant.now());
    assertThat(toEscalate).as("escalation within two evaluation cycles").isLessThanOrEqualTo(INTERVAL.multipliedBy(2)
        .plusMillis(500));
    await().atMost(Duration.ofSeconds(5)).until(() -> "10".equals(annotations().get(LIMIT_RPS)));

    // A noisy plateau: the signal dips below the threshold now and then, never for a whole cooldown.
    Instant plateauEnd = Instant.now().plusSeconds(8);
    while (Instant.now().isBefore(plateauEnd)) {
      profileReads.set(80);
      Thread.sleep(1200);
      assertThat(level()).isEqualTo("elevated");
      profileReads.set(300);
      Thread.sleep(1200);
      assertThat(level()).isEqualTo("elevated");
    }
    assertThat(events()).noneMatch(e -> "LevelLowered".equals(e.getReason()));

    profileReads.set(5);
    prometheus.awaitResult("test_profile_reads", r -> value(r) < 100, Duration.ofSeconds(10));
    Instant calm = Instant.now();
    awaitLevel("normal");
    Duration toRelax = Duration.between(calm, Instant.now());
    assertThat(toRelax).as("de-escalation waits for the cooldown").isGreaterThanOrEqualTo(Duration.ofSeconds(4));
    await().atMost(Duration.ofSeconds(5)).until(() -> "50".equals(annotations().get(LIMIT_RPS)));
    // Events are recorded once the status they describe is written.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events())
        .anyMatch(e -> "LevelRaised".equals(e.getReason()) && e.getMessage().contains("profile-reads"))
        .anyMatch(e -> "LevelLowered".equals(e.getReason())));
    assertThat(operator.metrics().registry().getSampleValue("antiscraping_level_transitions_total",
        new String[] {"namespace", "policy", "from", "to"}, new String[] {ns, "storefront", "normal", "elevated"}))
        .isEqualTo(1.0);
  }

  @Test
  void bansOnlyTheOffendingClientNeverAnAllowlistedOrInvalidOneAndLetsTheBanExpire() throws Exception {
    clientRate.labels(OFFENDER).set(50);
    clientRate.labels(SHOPPER).set(1);
    clientRate.labels(ALLOWLISTED).set(500);
    clientRate.labels("not-an-ip").set(900);
    clientRate.labels("203.0.113.0/8").set(900);
    user.resource(policy(spec -> { })).create();

    await().atMost(Duration.ofSeconds(20)).until(() -> annotations().containsKey(DENYLIST_SOURCE_RANGE));
    assertThat(annotations().get(DENYLIST_SOURCE_RANGE)).isEqualTo(OFFENDER + "/32");
    // The reconcile writes the data plane first and the status after it: wait for the status of that reconcile.
    await().atMost(Duration.ofSeconds(10)).until(() -> get().getStatus() != null
        && get().getStatus().getBannedCount() != null);
    ScrapingPolicy p = get();
    assertThat(p.getStatus().getBannedCount()).isEqualTo(1);
    assertThat(p.getStatus().getBanned()).singleElement().satisfies(b -> {
      assertThat(b.getClient()).isEqualTo(OFFENDER + "/32");
      assertThat(b.getReason()).contains("client-rate").contains("50");
    });
    assertThat(p.getStatus().getSignals()).filteredOn(s -> s.getName().equals("client-rate")).singleElement()
        .satisfies(s -> assertThat(s.getInvalidClients()).isGreaterThanOrEqualTo(1));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events())
        .anyMatch(e -> "ClientsBanned".equals(e.getReason()) && e.getMessage().contains(OFFENDER)));

    clientRate.labels(OFFENDER).set(1);
    await().atMost(Duration.ofSeconds(20)).until(() -> !annotations().containsKey(DENYLIST_SOURCE_RANGE));
    assertThat(get().getStatus().getBannedCount()).isZero();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events())
        .anyMatch(e -> "BansExpired".equals(e.getReason())));
  }

  @Test
  void whenPrometheusGoesAwayTheLevelAndBansAreHeldUntilStaleAfterThenTheBaselineApplies() throws Exception {
    clientRate.labels(OFFENDER).set(50);
    user.resource(policy(spec -> {
      spec.setStaleAfter("6s");
      spec.getOffenders().setBanFor("1h");
    })).create();
    profileReads.set(250);
    awaitLevel("elevated");
    await().atMost(Duration.ofSeconds(20)).until(() -> annotations().containsKey(DENYLIST_SOURCE_RANGE));

    prometheus.stop();
    Instant gone = Instant.now();

    await().atMost(Duration.ofSeconds(10)).until(() -> condition("MetricsAvailable").map(c -> "False".equals(c.getStatus()))
        .orElse(false));
    StatusCondition metrics = condition("MetricsAvailable").orElseThrow();
    assertThat(metrics.getMessage()).contains("profile-reads");
    assertThat(level()).as("held right after the outage").isEqualTo("elevated");
    assertThat(annotations()).containsKey(DENYLIST_SOURCE_RANGE).containsEntry(LIMIT_RPS, "10");

    awaitLevel("normal");
    assertThat(Duration.between(gone, Instant.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(5)).until(() -> "50".equals(annotations().get(LIMIT_RPS)));
    assertThat(condition("Ready").orElseThrow().getStatus()).isEqualTo("False");
  }

  @Test
  void aRestartedOperatorKeepsTheLevelAndTheBans() throws Exception {
    clientRate.labels(OFFENDER).set(50);
    user.resource(policy(spec -> spec.getOffenders().setBanFor("1h"))).create();
    profileReads.set(250);
    awaitLevel("elevated");
    await().atMost(Duration.ofSeconds(20)).until(() -> annotations().containsKey(DENYLIST_SOURCE_RANGE));
    clientRate.labels(OFFENDER).set(0);
    Thread.sleep(2500); // the ban is no longer extended once the offender's value is scraped below the threshold
    String levelSince = get().getStatus().getLevelSince();
    String until = get().getStatus().getBanned().get(0).getUntil();

    // The attack goes quiet while the operator is down: the restarted one must not relax before the cooldown,
    // nor forget the ban, nor escalate again.
    operator.close();
    profileReads.set(5);
    int eventsBefore = events().size();
    startOperator();
    Thread.sleep(4000);

    ScrapingPolicy p = get();
    assertThat(p.getStatus().getLevel()).isEqualTo("elevated");
    assertThat(p.getStatus().getLevelSince()).isEqualTo(levelSince);
    assertThat(p.getStatus().getBanned()).singleElement().satisfies(b -> assertThat(b.getUntil()).isEqualTo(until));
    assertThat(annotations()).containsEntry(DENYLIST_SOURCE_RANGE, OFFENDER + "/32").containsEntry(LIMIT_RPS, "10");
    assertThat(events().subList(eventsBefore, events().size()))
        .noneMatch(e -> e.getReason().startsWith("Level") || "ClientsBanned".equals(e.getReason()));
  }

  @Test
  void withBaselineOnMetricsUnavailableAnUnreachablePrometheusMeansBaselineAndASayingCondition() {
    user.resource(policy(spec -> {
      spec.setOnMetricsUnavailable(ScrapingPolicySpec.OnMetricsUnavailable.BASELINE);
      spec.setPrometheus(PrometheusSource.builder().url("http://127.0.0.1:9").timeout("1s").build());
    })).create();

    await().atMost(Duration.ofSeconds(20)).until(() -> condition("MetricsAvailable")
        .map(c -> "False".equals(c.getStatus())).orElse(false));
    assertThat(condition("MetricsAvailable").orElseThrow().getMessage()).contains("127.0.0.1:9");
    assertThat(level()).isEqualTo("normal");
    assertThat(annotations()).containsEntry(LIMIT_RPS, "50").doesNotContainKey(DENYLIST_SOURCE_RANGE);
  }

  @Test
  void aQuietPolicyEvaluatedEverySecondMakesNoWritesAtAll() throws Exception {
    clientRate.labels(SHOPPER).set(1);
    user.resource(policy(spec -> { })).create();
    awaitLevel("normal");
    await().atMost(Duration.ofSeconds(10)).until(() -> condition("Ready").map(c -> "True".equals(c.getStatus()))
        .orElse(false));
    Thread.sleep(2000);
    int mark = api.log().size();

    Thread.sleep(5000);

    assertThat(api.log().writesSince(mark, null)).isEmpty();
  }

  @Test
  void aBearerTokenComesFromASecretAndAMissingSecretIsReportedNotReadAsZero() {
    user.resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("prometheus-token")
        .withNamespace(ns).addToLabels(PrometheusAccess.CREDENTIALS_LABEL, "true").endMetadata()
        .addToStringData("token", "s3cr3t").build()).create();
    user.resource(policy(spec -> spec.setPrometheus(PrometheusSource.builder().url(prometheus.url())
        .bearerTokenSecret(new io.antiscraping.api.v1alpha1.SecretKeyRef("prometheus-token", "token")).build())))
        .create();
    profileReads.set(250);
    awaitLevel("elevated");
    assertThat(condition("MetricsAvailable").orElseThrow().getStatus()).isEqualTo("True");

    ApiServer.retryOnConflict(() -> user.resources(ScrapingPolicy.class).inNamespace(ns).withName("storefront").edit(p -> {
      p.getSpec().getPrometheus().setBearerTokenSecret(new io.antiscraping.api.v1alpha1.SecretKeyRef("missing", "token"));
      return p;
    }));

    await().atMost(Duration.ofSeconds(20)).until(() -> condition("MetricsAvailable")
        .map(c -> "False".equals(c.getStatus())).orElse(false));
    assertThat(condition("MetricsAvailable").orElseThrow().getMessage()).contains("Secret " + ns + "/missing")
        .doesNotContain("s3cr3t");
    assertThat(level()).as("missing data never relaxes at once under Hold").isEqualTo("elevated");
    assertThat(String.join("\n", api.log().lines())).doesNotContain("s3cr3t");
  }

  /** Security finding 2: a policy author names a Secret of the namespace that was never meant for Prometheus. */
  @Test
  void aSecretThatDoesNotOptInIsNeverSentAndItsValueNeverShown() {
    user.resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("shop-tls")
        .withNamespace(ns).endMetadata().addToStringData("tls.key", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq"
            + "\n-----END PRIVATE KEY-----\n").addToStringData("token", "s3cr3t").build()).create();
    user.resource(policy(spec -> spec.setPrometheus(PrometheusSource.builder().url(prometheus.url())
        .bearerTokenSecret(new io.antiscraping.api.v1alpha1.SecretKeyRef("shop-tls", "token")).build())))
        .create();

    await().atMost(Duration.ofSeconds(20)).until(() -> condition("MetricsAvailable")
        .map(c -> "False".equals(c.getStatus())).orElse(false));
    assertThat(condition("MetricsAvailable").orElseThrow().getMessage())
        .contains("Secret " + ns + "/shop-tls is not labelled " + PrometheusAccess.CREDENTIALS_LABEL + "=\"true\"")
        .doesNotContain("s3cr3t").doesNotContain("PRIVATE KEY");
    assertThat(get().getStatus().getSignals()).allSatisfy(s -> assertThat(String.valueOf(s.getError()))
        .doesNotContain("s3cr3t"));
    assertThat(events()).allSatisfy(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t")
        .doesNotContain("PRIVATE KEY"));
  }

  /** Security finding 2: the admin's allowlist of Prometheus servers; a policy naming another one is Invalid. */
  @Test
  void aPrometheusOutsideTheAdminsAllowlistMakesThePolicyInvalidAndWritesNothing() {
    user.resource(policy(spec -> spec.setPrometheus(PrometheusSource.builder()
        .url("http://prometheus.payments.svc:9090").build()))).create();

    await().atMost(Duration.ofSeconds(20)).until(() -> condition("Invalid")
        .map(c -> "True".equals(c.getStatus())).orElse(false));
    assertThat(condition("Invalid").orElseThrow().getMessage())
        .contains("http://prometheus.payments.svc:9090 is not in the operator's allowlist");
    assertThat(annotations()).doesNotContainKey(LIMIT_RPS);
  }

  /** Security finding 2: without the admin's flag a bearer token never travels over plain http. */
  @Test
  void aBearerTokenOverPlainHttpIsInvalidUnlessTheAdminAllowsIt() {
    operator.close();
    startOperator(guards(List.of("127.0.0.1"), false));
    user.resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName("prometheus-token")
        .withNamespace(ns).addToLabels(PrometheusAccess.CREDENTIALS_LABEL, "true").endMetadata()
        .addToStringData("token", "s3cr3t").build()).create();
    user.resource(policy(spec -> spec.setPrometheus(PrometheusSource.builder().url(prometheus.url())
        .bearerTokenSecret(new io.antiscraping.api.v1alpha1.SecretKeyRef("prometheus-token", "token")).build())))
        .create();

    await().atMost(Duration.ofSeconds(20)).until(() -> condition("Invalid")
        .map(c -> "True".equals(c.getStatus())).orElse(false));
    assertThat(condition("Invalid").orElseThrow().getMessage()).contains("needs an https URL");
    assertThat(annotations()).doesNotContainKey(LIMIT_RPS);
  }

  /** Security finding 3: a policy URL that resolves to a loopback or metadata address is not queried. */
  @Test
  void aLoopbackOrMetadataTargetIsNotQueriedUnlessTheAdminNamesIt() {
    operator.close();
    startOperator(guards(List.of(), false));
    user.resource(policy(spec -> spec.setPrometheus(PrometheusSource.builder()
        .url("http://localhost:" + prometheus.uri().getPort()).build()))).create();

    await().atMost(Duration.ofSeconds(20)).until(() -> condition("MetricsAvailable")
        .map(c -> "False".equals(c.getStatus())).orElse(false));
    assertThat(condition("MetricsAvailable").orElseThrow().getMessage())
        .contains("the Prometheus host localhost resolves to").contains("loopback address: not queried");
  }

  /**
   * Security, fault injection: a proxy between the operator and the real API server refuses requests (500),
   * answers writes with 409, carries writes out and loses their answer (500), stalls requests past the client's
   * request timeout, and cuts every watch every three seconds, while an attack starts, the API server is unreachable
   * for 20 s as a second offender appears, and the attack ends. Sampled every 200 ms from outside the proxy: no ban once written is ever withdrawn, the level
   * is never lowered before the cooldown, and when the faults stop the state converges to what a fault-free run
   * reaches, with nothing recorded twice.
   */
  @Test
  void throughInjectedApiFaultsNoBanIsDroppedNoLevelRelaxesEarlyAndNothingIsDuplicated() throws Exception {
    operator.close();
    operator = null;
    String second = "198.51.100.9";
    // Longer than a stalled request holds a reconcile (the client's 10 s request timeout): the cooldown is the highest
    // recommendation among the evaluations of its window, so a gap without evaluations longer than the cooldown would
    // let the level relax at the first evaluation after it (docs/concepts.md, "Decision semantics").
    Duration cooldown = Duration.ofSeconds(16);
    FaultProxy proxy = FaultProxy.start(api.plane().adminConfig());
    KubernetesClient through = new KubernetesClientBuilder().withConfig(proxy.clientConfig()).build();
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    List<String> violations = new CopyOnWriteArrayList<>();
    Set<String> bansSeen = ConcurrentHashMap.newKeySet();
    AtomicReference<Instant> calm = new AtomicReference<>();
    AtomicReference<String> lastLevel = new AtomicReference<>();
    try {
      operator = OperatorRuntime.start(through, OperatorSettings.defaults()
          .withDefaultPrometheusUrl(prometheus.uri()).withGuards(guards(List.of("127.0.0.1"), true)));
      clientRate.labels(OFFENDER).set(50);
      clientRate.labels(SHOPPER).set(1);
      user.resource(policy(spec -> {
        spec.setCooldown(cooldown.toSeconds() + "s");
        spec.getOffenders().setBanFor("1h");
      })).create();
      FaultProxy.Faults faults = new FaultProxy.Faults(0.08, 0.08, 0.08, 0.05, 12_000, 3_000);
      proxy.faults(faults);
      sampler.scheduleWithFixedDelay(() -> {
        try {
          List<String> denied = denied();
          bansSeen.stream().filter(b -> !denied.contains(b))
              .forEach(b -> violations.add("ban of " + b + " withdrawn at " + Instant.now()));
          bansSeen.addAll(denied);
          if (denied.size() != Set.copyOf(denied).size()) {
            violations.add("an address listed twice: " + denied);
          }
          String level = level();
          String before = lastLevel.getAndSet(level);
          if ("normal".equals(before) && "elevated".equals(level) && calm.get() != null) {
            violations.add("level raised again at " + Instant.now() + " after the attack ended");
          }
          if ("elevated".equals(before) && "normal".equals(level)) {
            Instant quiet = calm.get();
            if (quiet == null || Duration.between(quiet, Instant.now()).compareTo(cooldown.minusSeconds(2)) < 0) {
              violations.add("level lowered " + (quiet == null ? "while the attack went on"
                  : Duration.between(quiet, Instant.now()).toMillis() + " ms after the signal fell"));
            }
          }
        } catch (RuntimeException e) {
          violations.add("sampling failed: " + e);
        }
      }, 0, 200, TimeUnit.MILLISECONDS);

      await().atMost(Duration.ofSeconds(60)).until(() -> denied().contains(OFFENDER + "/32"));
      profileReads.set(250);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .until(() -> "elevated".equals(level()));
      // A 20 s API outage (every request refused, every watch cut) while a second offender starts: the bans in
      // force stay, and the policy is not left dormant by retry backoff once the server answers again.
      proxy.faults(new FaultProxy.Faults(1, 0, 0, 0, 0, 1_000));
      clientRate.labels(second).set(50);
      Thread.sleep(20_000);
      proxy.faults(faults);
      Instant back = Instant.now();
      await().atMost(Duration.ofSeconds(30)).until(() -> denied().contains(second + "/32"));
      Duration afterOutage = Duration.between(back, Instant.now());
      Thread.sleep(10_000); // the attack goes on under faults
      assertThat(level()).isEqualTo("elevated");

      profileReads.set(5);
      prometheus.awaitResult("test_profile_reads", r -> value(r) < 100, Duration.ofSeconds(10));
      calm.set(Instant.now());
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
          .until(() -> "normal".equals(level()));

      Map<String, Integer> counts = proxy.counts();
      proxy.faults(FaultProxy.Faults.NONE);
      await().atMost(Duration.ofSeconds(30)).until(() -> "50".equals(annotations().get(LIMIT_RPS))
          && condition("Ready").map(c -> "True".equals(c.getStatus())).orElse(false));
      Thread.sleep(1000);
      sampler.shutdown();
      assertThat(sampler.awaitTermination(5, TimeUnit.SECONDS)).isTrue();

      assertThat(counts).as("every kind of fault was injected").containsKeys("refuse", "conflict", "lose", "stall",
          "watch-dropped");
      assertThat(violations).isEmpty();
      assertThat(denied()).containsExactlyInAnyOrder(OFFENDER + "/32", second + "/32");
      ScrapingPolicy p = get();
      assertThat(p.getStatus().getBanned()).extracting(b -> b.getClient())
          .containsExactlyInAnyOrder(OFFENDER + "/32", second + "/32");
      assertThat(p.getStatus().getConditions()).extracting(StatusCondition::getType).doesNotHaveDuplicates();
      assertThat(p.getMetadata().getFinalizers()).doesNotHaveDuplicates();
      assertThat(user.network().v1().ingresses().inNamespace(ns).list().getItems()).hasSize(1);
      List<Event> events = events();
      assertThat(events).filteredOn(e -> "LevelRaised".equals(e.getReason())).hasSize(1);
      assertThat(events).filteredOn(e -> "LevelLowered".equals(e.getReason())).hasSize(1);
      for (String client : List.of(OFFENDER, second)) {
        assertThat(events).as("one ClientsBanned event for %s", client)
            .filteredOn(e -> "ClientsBanned".equals(e.getReason()) && e.getMessage().contains(client)).hasSize(1);
      }
      System.out.println("LiveDecisionIT fault injection: " + counts + "; second offender banned "
          + afterOutage.toMillis() + " ms after the outage");
    } finally {
      sampler.shutdownNow();
      if (operator != null) {
        operator.close();
        operator = null;
      }
      through.close();
      proxy.close();
    }
  }

  List<String> denied() {
    String list = annotations().get(DENYLIST_SOURCE_RANGE);
    return list == null || list.isBlank() ? List.of() : List.of(list.split(","));
  }

  // ---------------------------------------------------------------------------------------------------------------

  ScrapingPolicy policy(Consumer<ScrapingPolicySpec> customize) {
    return IngressNginxEnforcementIT.policy(ns, "storefront", spec -> {
      spec.setEvaluationInterval("1s");
      spec.setCooldown("5s");
      spec.setSignals(new ArrayList<>(List.of(
          Signal.builder().name("profile-reads").query("test_profile_reads").build(),
          Signal.builder().name("client-rate").query("test_client_rate")
              .perClient(new Signal.PerClient("client")).build())));
      spec.getLevels().add(Level.builder().name("elevated")
          .when(new ArrayList<>(List.of(WhenCondition.builder().signal("profile-reads").above(100.0).build())))
          .rateLimit(RateLimit.builder().requestsPerSecond(10).burstMultiplier(2).build()).build());
      spec.setOffenders(Offenders.builder().signal("client-rate").above(20.0).forDuration("0s").banFor("3s").build());
      customize.accept(spec);
    });
  }

  ScrapingPolicy get() {
    return user.resources(ScrapingPolicy.class).inNamespace(ns).withName("storefront").get();
  }

  String level() {
    ScrapingPolicy p = get();
    return p == null || p.getStatus() == null ? null : p.getStatus().getLevel();
  }

  void awaitLevel(String level) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> level.equals(level()));
  }

  java.util.Optional<StatusCondition> condition(String type) {
    return IngressNginxEnforcementIT.condition(get(), type);
  }

  Map<String, String> annotations() {
    return OperatorRuntimeIT.annotations(user, ns, "web");
  }

  List<Event> events() {
    return user.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> "storefront".equals(e.getInvolvedObject().getName())).toList();
  }

  static double value(com.fasterxml.jackson.databind.JsonNode result) {
    com.fasterxml.jackson.databind.JsonNode r = result.path("result");
    if (r.isArray() && r.size() > 0) {
      return Double.parseDouble(r.get(0).path("value").get(1).asText());
    }
    return Double.NaN;
  }
}
