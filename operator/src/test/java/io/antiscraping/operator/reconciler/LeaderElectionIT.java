package io.antiscraping.operator.reconciler;

import static io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations.DENYLIST_SOURCE_RANGE;
import static io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations.LIMIT_RPS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.antiscraping.api.v1alpha1.Ban;
import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.Offenders;
import io.antiscraping.api.v1alpha1.RateLimit;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.api.v1alpha1.WhenCondition;
import io.antiscraping.operator.apiserver.ApiServer;
import io.antiscraping.operator.apiserver.Evaluations;
import io.antiscraping.operator.runtime.OperatorRuntime;
import io.antiscraping.operator.runtime.OperatorSettings;
import io.antiscraping.testing.PrometheusServer;
import io.antiscraping.testing.TestExporter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.prometheus.client.Gauge;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two operator instances on one Lease, as the chart's two replicas: only the leader writes; when it dies mid-attack
 * the other takes the Lease within the lease duration and carries on from the status: the level and the bans stay,
 * and a new offender is banned by the new leader.
 */
class LeaderElectionIT {

  static final String OFFENDER = "198.51.100.7";
  static final String NEXT_OFFENDER = "198.51.100.9";

  TestExporter exporter;
  PrometheusServer prometheus;
  Gauge profileReads;
  Gauge clientRate;
  ApiServer api;
  KubernetesClient user;
  String ns;
  String ops;
  final List<Instance> instances = new ArrayList<>();

  /** One operator process: its own client (connections, informers) and runtime. */
  record Instance(KubernetesClient client, OperatorRuntime runtime) {
    double writes() {
      return runtime.metrics().apiWrites();
    }

    void kill() {
      runtime.close();
      client.close();
    }
  }

  @BeforeEach
  void start() {
    exporter = TestExporter.start();
    profileReads = exporter.gauge("test_profile_reads", "profile records served per second");
    clientRate = exporter.gauge("test_client_rate", "requests per second by client", "client");
    profileReads.set(10);
    prometheus = PrometheusServer.builder().scrapeInterval("500ms").target(exporter.target(), "storefront").start();
    prometheus.awaitReady("test_profile_reads", Duration.ofSeconds(60));
    api = ApiServer.start("LeaderElectionIT");
    user = api.userClient();
    ns = api.namespace("shop");
    ops = api.namespace("ops");
    user.resource(OperatorRuntimeIT.ingress(ns, "web")).create();
  }

  Instance startInstance() {
    KubernetesClient client = new KubernetesClientBuilder().withConfig(api.plane().adminConfig()).build();
    OperatorRuntime runtime = OperatorRuntime.start(client, new OperatorSettings(Set.of(), prometheus.uri(), 0, false,
        true, "antiscraping-operator", ops));
    Instance i = new Instance(client, runtime);
    instances.add(i);
    return i;
  }

  @AfterEach
  void stop() {
    for (Instance i : instances) {
      try {
        i.kill();
      } catch (RuntimeException e) {
        // already stopped
      }
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
  void theOtherInstanceTakesOverWithinTheLeaseDurationAndTheLevelAndBansCarryOn() throws Exception {
    Instance a = startInstance();
    Instance b = startInstance();
    user.resource(IngressNginxEnforcementIT.policy(ns, "storefront", spec -> {
      spec.setEvaluationInterval("1s");
      spec.setCooldown("10m");
      spec.setSignals(new ArrayList<>(List.of(
          Signal.builder().name("profile-reads").query("test_profile_reads").build(),
          Signal.builder().name("client-rate").query("test_client_rate")
              .perClient(new Signal.PerClient("client")).build())));
      spec.getLevels().add(Level.builder().name("elevated")
          .when(new ArrayList<>(List.of(WhenCondition.builder().signal("profile-reads").above(100.0).build())))
          .rateLimit(RateLimit.builder().requestsPerSecond(10).burstMultiplier(2).build()).build());
      spec.setOffenders(Offenders.builder().signal("client-rate").above(20.0).forDuration("0s").banFor("10m").build());
    })).create();

    // the attack: the level rises and the offender is banned, by one instance only
    profileReads.set(250);
    clientRate.labels(OFFENDER).set(50);
    await().atMost(Duration.ofSeconds(30)).until(() -> "10".equals(annotations().get(LIMIT_RPS))
        && (OFFENDER + "/32").equals(annotations().get(DENYLIST_SOURCE_RANGE)) && "elevated".equals(level()));
    // two evaluations after the one seen (counted once its events are recorded: one more), by whichever instance
    // leads (every 10 s: the run defaults' minimum evaluation interval): the other one still writes nothing
    Evaluations.awaitEvaluations(List.of(a.runtime().metrics().registry(), b.runtime().metrics().registry()), ns,
        "storefront", "ok", 3, Duration.ofSeconds(60));
    assertThat(List.of(a.writes(), b.writes())).as("writes of the two instances").containsOnlyOnce(0.0);
    Instance leader = a.writes() > 0 ? a : b;
    Instance follower = leader == a ? b : a;
    String holder = lease();
    String firstBanUntil = bans().get(0).getUntil();
    String levelSince = status().getLevelSince();

    // the leader dies mid-attack; a new offender shows up
    leader.kill();
    Instant killed = Instant.now();
    clientRate.labels(NEXT_OFFENDER).set(60);
    await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
        .until(() -> String.valueOf(annotations().get(DENYLIST_SOURCE_RANGE)).contains(NEXT_OFFENDER + "/32"));
    Duration handover = Duration.between(killed, Instant.now());
    assertThat(handover).as("the new leader's first enforcement after the old one died")
        .isLessThanOrEqualTo(LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE
            .plus(LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE).plusSeconds(3));
    assertThat(lease()).isNotEqualTo(holder);
    assertThat(follower.writes()).isPositive();
    // carried on from the status: the level held, the first ban kept (not re-decided from scratch)
    assertThat(level()).isEqualTo("elevated");
    assertThat(annotations().get(DENYLIST_SOURCE_RANGE)).isEqualTo(OFFENDER + "/32," + NEXT_OFFENDER + "/32");
    // (the data plane is written before the status of the same evaluation)
    await().atMost(Duration.ofSeconds(10)).until(() -> bans().size() == 2);
    assertThat(bans()).extracting(Ban::getClient).containsExactlyInAnyOrder(OFFENDER + "/32", NEXT_OFFENDER + "/32");
    // the level's clock came from the status the old leader wrote; the ban never lapsed (still offending, the new
    // leader may only extend it)
    assertThat(status().getLevelSince()).isEqualTo(levelSince);
    assertThat(Instant.parse(bans().stream().filter(ban -> ban.getClient().equals(OFFENDER + "/32")).findFirst()
        .orElseThrow().getUntil())).isAfterOrEqualTo(Instant.parse(firstBanUntil));
    System.out.println("leader election handover: " + handover.toMillis() + " ms");
  }

  io.antiscraping.api.v1alpha1.ScrapingPolicyStatus status() {
    return user.resources(ScrapingPolicy.class).inNamespace(ns).withName("storefront").get().getStatus();
  }

  List<Ban> bans() {
    return status().getBanned();
  }

  String lease() {
    return user.leases().inNamespace(ops).withName("antiscraping-operator").get().getSpec().getHolderIdentity();
  }

  String level() {
    ScrapingPolicy p = user.resources(ScrapingPolicy.class).inNamespace(ns).withName("storefront").get();
    return p == null || p.getStatus() == null ? null : p.getStatus().getLevel();
  }

  Map<String, String> annotations() {
    return OperatorRuntimeIT.annotations(user, ns, "web");
  }
}
