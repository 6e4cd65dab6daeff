package io.antiscraping.operator.runtime;

import io.antiscraping.operator.enforcement.ApiWriteListener;
import io.antiscraping.operator.enforcement.Enforcer;
import io.antiscraping.operator.enforcement.envoygateway.EnvoyGatewayEnforcer;
import io.antiscraping.operator.enforcement.ingressnginx.IngressNginxEnforcer;
import io.antiscraping.operator.enforcement.traefik.TraefikEnforcer;
import io.antiscraping.operator.metrics.HealthServer;
import io.antiscraping.operator.metrics.OperatorMetrics;
import io.antiscraping.operator.decision.DecisionEngine;
import io.antiscraping.operator.decision.Cidr;
import io.antiscraping.operator.detection.PrometheusAccess;
import io.antiscraping.operator.detection.TenantLimits;
import io.antiscraping.operator.detection.PrometheusClient;
import io.antiscraping.operator.detection.QueryCache;
import io.antiscraping.operator.detection.SignalReader;
import io.antiscraping.operator.reconciler.KubernetesSecrets;
import io.antiscraping.operator.reconciler.LiveEvaluator;
import io.antiscraping.operator.reconciler.EventRecorder;
import io.antiscraping.operator.reconciler.PolicyEvaluator;
import io.antiscraping.operator.reconciler.ScrapingPolicyReconciler;
import io.antiscraping.operator.reconciler.StatusWriter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The composition root: builds every collaborator once and starts the operator. {@code run} and the lab use it. */
public final class OperatorRuntime implements AutoCloseable {

  private final Operator operator;
  private final HealthServer health;
  private final OperatorMetrics metrics;

  private OperatorRuntime(Operator operator, HealthServer health, OperatorMetrics metrics) {
    this.operator = operator;
    this.health = health;
    this.metrics = metrics;
  }

  /** An embedded runtime (tests, the lab): losing the leader Lease stops reconciling but never exits the JVM. */
  public static OperatorRuntime start(KubernetesClient client, OperatorSettings settings) {
    return start(client, settings, Clock.systemUTC(), false);
  }

  /**
   * @param exitOnLostLeadership exit the process when the leader Lease is lost, so that the pod restarts and
   *                             competes again ({@code run} does this; an embedded runtime must not)
   */
  public static OperatorRuntime start(KubernetesClient client, OperatorSettings settings, Clock clock,
                                      boolean exitOnLostLeadership) {
    OperatorMetrics metrics = new OperatorMetrics(new CollectorRegistry());
    ApiWriteListener writes = metrics::apiWrite;
    List<Enforcer> enforcers = List.of(
        new IngressNginxEnforcer(client, settings.allowSnippetAnnotations(), writes),
        new EnvoyGatewayEnforcer(client, writes, settings.namespaces()),
        new TraefikEnforcer(client, writes));
    PrometheusClient prometheus = new PrometheusClient(metrics::query);
    PrometheusAccess access = new PrometheusAccess(settings.defaultPrometheusUrl(),
        settings.guards().prometheusAllowedUrls(), settings.guards().bearerTokenOverHttp(), InetAddress::getAllByName)
        .withTenantParameter(settings.guards().tenantParameter());
    Guards guards = settings.guards();
    List<Cidr> neverBanned = guards.neverBanCidrs().stream().map(c -> Cidr.parse(c.strip()).orElseThrow(
        () -> new IllegalArgumentException("never-ban: not an IP address or CIDR: " + c))).toList();
    PolicyEvaluator evaluator = new LiveEvaluator(new SignalReader(new QueryCache(prometheus)),
        new DecisionEngine(neverBanned), new KubernetesSecrets(client, clock), access, settings.defaultPrometheusUrl(),
        new TenantLimits(guards.namespaceConcurrency(), guards.namespaceQueryBudget(), clock), clock, metrics);
    ScrapingPolicyReconciler reconciler = new ScrapingPolicyReconciler(
        enforcers.stream().collect(Collectors.toMap(Enforcer::provider, Function.identity())),
        evaluator, new StatusWriter(client, writes, clock), new EventRecorder(client, clock, writes), metrics, clock,
        guards.minEvaluationInterval());

    Operator operator = new Operator(o -> {
      // JOSDK's defaults otherwise: the finalizer is added to the primary by server-side apply, with the field
      // manager set at registration.
      o.withKubernetesClient(client)
          .checkingCRDAndValidateLocalModel(false)
          .withCloseClientOnStop(false);
      if (settings.leaderElection()) {
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(settings.leaseName(),
            settings.leaseNamespace(), LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
            LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
            LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, leaderIdentity(),
            new LeaderCallbacks(() -> { }, () -> { }, leader -> { }), exitOnLostLeadership));
      }
    });
    operator.register(reconciler, c -> {
      if (settings.namespaces().isEmpty()) {
        c.watchingAllNamespaces();
      } else {
        c.settingNamespaces(settings.namespaces());
      }
      c.withFieldManager(Enforcer.FIELD_MANAGER);
      // The reconciler catches its own failures and reschedules; should anything still escape (the framework's own
      // writes), retry without a cap on attempts and never wait longer than an evaluation interval, and reconcile
      // at least that often, so that an API outage cannot leave a policy dormant.
      c.withRetry(GenericRetry.defaultLimitedExponentialRetry().withoutMaxAttempts()
          .setMaxInterval(ScrapingPolicyReconciler.DEFAULT_INTERVAL.toMillis()));
      c.withReconciliationMaxInterval(ScrapingPolicyReconciler.DEFAULT_INTERVAL);
    });
    HealthServer health;
    try {
      health = new HealthServer(settings.metricsPort(), metrics.registry(),
          () -> !operator.getRuntimeInfo().isStarted() || operator.getRuntimeInfo().allEventSourcesAreHealthy(),
          () -> operator.getRuntimeInfo().isStarted());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on metrics port " + settings.metricsPort(), e);
    }
    operator.start();
    return new OperatorRuntime(operator, health, metrics);
  }

  /**
   * This instance's identity in the Lease: the host name (the pod's name in a cluster) plus a random suffix. JOSDK's
   * default, the host name alone, is the same for two instances on one host (two processes, or two pods with
   * {@code hostNetwork}), which then both believe they hold the Lease and both write.
   */
  static String leaderIdentity() {
    String host = System.getenv("HOSTNAME");
    return (host == null || host.isBlank() ? "antiscraping-operator" : host) + "-"
        + java.util.UUID.randomUUID().toString().substring(0, 8);
  }

  /** Port of /metrics, /healthz and /readyz. */
  public int metricsPort() {
    return health.port();
  }

  public OperatorMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    try {
      operator.stop();
    } finally {
      health.close();
    }
  }
}
