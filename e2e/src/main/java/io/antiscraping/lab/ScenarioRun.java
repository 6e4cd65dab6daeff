package io.antiscraping.lab;

import io.antiscraping.api.v1alpha1.Ban;
import io.antiscraping.api.v1alpha1.PrometheusSource;
import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.antiscraping.api.v1alpha1.Durations;
import io.antiscraping.lab.kube.LabCluster;
import io.antiscraping.lab.metrics.MtailProcess;
import io.antiscraping.lab.nginx.ControllerSettings;
import io.antiscraping.lab.nginx.LabIngressController;
import io.antiscraping.lab.nginx.NginxConfigRenderer;
import io.antiscraping.lab.nginx.NginxProcess;
import io.antiscraping.lab.nginx.NginxSettings;
import io.antiscraping.lab.report.OutcomeCalculator;
import io.antiscraping.lab.report.ScenarioOutcome;
import io.antiscraping.lab.report.Timeline;
import io.antiscraping.lab.report.TimelineChart;
import io.antiscraping.lab.scenario.Scenario;
import io.antiscraping.lab.storefront.FakeDb;
import io.antiscraping.lab.storefront.Storefront;
import io.antiscraping.lab.support.FreePorts;
import io.antiscraping.lab.traffic.RequestRecord;
import io.antiscraping.lab.traffic.TrafficGenerator;
import io.antiscraping.operator.reconciler.Conditions;
import io.antiscraping.testing.PrometheusServer;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scenario, end to end, on a stack of its own: storefront, nginx configured from the Ingress, mtail, Prometheus
 * (1 s scrape), the Kubernetes API and the operator. Applies the scenario's policy, sends the traffic, waits for the
 * level to return to the baseline, deletes the policy, and checks that nginx runs the configuration it ran before.
 */
public final class ScenarioRun {

  private static final Logger LOG = LoggerFactory.getLogger(ScenarioRun.class);
  private static final Duration OBSERVE_EVERY = Duration.ofMillis(500);

  /** What a run leaves behind. */
  /**
   * @param conditionsSeen every {@code type=status (reason)} of the policy's conditions seen by the observer during
   *                       the run, in the order first seen
   */
  public record Result(ScenarioOutcome outcome, List<RequestRecord> truth, Timeline timeline, List<String> levels,
      List<String> conditionsSeen) {}

  /** The policy's conditions seen during the run, as {@code type=status (reason)}. */
  private final java.util.Set<String> conditionsSeen = java.util.Collections.synchronizedSet(new java.util.LinkedHashSet<>());

  private final Scenario scenario;
  private final Path reportDir;
  private final Path workDir;
  private final LabOperator.Factory operatorFactory;

  public ScenarioRun(Scenario scenario, Path reportDir, Path workDir, LabOperator.Factory operatorFactory) {
    this.scenario = scenario;
    this.reportDir = reportDir;
    this.workDir = workDir;
    this.operatorFactory = operatorFactory;
  }

  public Result run() throws Exception {
    Files.createDirectories(reportDir);
    Path dir = Files.createDirectories(workDir.resolve(scenario.name()));
    FakeDb db = FakeDb.standard();
    List<String> notes = new ArrayList<>();
    try (Storefront storefront = Storefront.start(db, 0);
         LabCluster cluster = LabCluster.fromEnvironment()) {
      Path prefix = Files.createDirectories(dir.resolve("nginx"));
      Path accessLog = dir.resolve("access.log");
      Files.deleteIfExists(accessLog);
      Files.createFile(accessLog);
      NginxSettings required = new NginxSettings(prefix, FreePorts.next(), accessLog,
          Map.of("storefront", storefront.port()), List.of("127.0.0.0/8"), NginxProcess.preparePrefix(prefix),
          NginxProcess.prepareCrsInclude(prefix), NginxSettings.DEBIAN_MODSECURITY_MODULE);
      NginxSettings settings = scenario.controller().isEmpty() ? required : required.withController(
          ControllerSettings.fromConfigMap(scenario.controller(), required.controller()));
      if (!scenario.controller().isEmpty()) {
        notes.add("controller ConfigMap changed for this scenario: " + new java.util.TreeMap<>(scenario.controller()));
      }
      cluster.createStorefrontIngresses();
      try (MtailProcess mtail = MtailProcess.start(dir, accessLog);
           PrometheusServer prometheus = PrometheusServer.builder().scrapeInterval("1s")
               .target("127.0.0.1:" + storefront.port(), "storefront").target(mtail.target(), "mtail").start();
           LabIngressController controller = LabIngressController.start(cluster.client(), cluster.namespace(),
               settings)) {
        prometheus.awaitReady("up{job=\"mtail\"} == 1 and on() up{job=\"storefront\"} == 1", Duration.ofSeconds(60));
        String before = controller.runningConfig();
        ScrapingPolicy policy = loadPolicy(cluster, prometheus.uri());
        String baseline = policy.getSpec().getLevels().get(0).getName();
        List<String> levels = policy.getSpec().getLevels().stream().map(l -> l.getName()).toList();

        AtomicInteger policyUpdates = new AtomicInteger();
        SharedIndexInformer<ScrapingPolicy> policies = cluster.client().resources(ScrapingPolicy.class)
            .inNamespace(cluster.namespace()).inform(countUpdates(policyUpdates));
        Timeline timeline = new Timeline();
        ScheduledExecutorService observer = Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "lab-observer");
          t.setDaemon(true);
          return t;
        });
        long[] runStart = {System.nanoTime()};
        try (LabOperator operator = operatorFactory.start(cluster.client(), cluster.namespace(), prometheus.uri())) {
          cluster.client().resource(policy).create();
          int ingressUpdatesBefore = controller.ingressUpdates();
          await("the policy's baseline to reach nginx", Duration.ofSeconds(60),
              () -> baseline.equals(level(cluster, policy)) && !before.equals(controller.runningConfig()));
          runStart[0] = System.nanoTime();
          int reloadsBefore = controller.reloads();
          int policyUpdatesBefore = policyUpdates.get();
          observer.scheduleAtFixedRate(() -> observe(cluster, policy, timeline, runStart[0],
                  controller.ingressUpdates() - ingressUpdatesBefore, policyUpdates.get() - policyUpdatesBefore,
                  controller.reloads() - reloadsBefore),
              0, OBSERVE_EVERY.toMillis(), TimeUnit.MILLISECONDS);

          LOG.info("scenario {}: traffic for {}", scenario.name(), scenario.runTime());
          TrafficGenerator traffic = new TrafficGenerator(scenario, URI.create("http://127.0.0.1:" + settings.listenPort()),
              db, allowlistedAddress(policy), storefront::signIn);
          List<RequestRecord> truth = traffic.run();
          Thread.sleep(2_000); // the last lines through mtail and one more scrape
          List<String> clientLabels = clientLabels(prometheus);
          java.util.Map<String, Double> quantiles = scenario.groups(Scenario.ClientClass.SHOPPER).size()
              == scenario.clients().size() ? shopperQuantiles(prometheus, policy, scenario.runTime()) : java.util.Map.of();

          if (scenario.attackEnd() != null) {
            Duration cooldown = Durations.parse(policy.getSpec().getCooldown()).orElse(Duration.ofMinutes(10));
            Duration limit = cooldown.plusSeconds(90);
            boolean back = awaitQuietly(limit, () -> baseline.equals(level(cluster, policy)));
            if (!back) {
              notes.add("the level did not return to `" + baseline + "` within " + Durations.format(limit)
                  + " after the traffic ended");
            }
          }
          Thread.sleep(OBSERVE_EVERY.toMillis() * 2);
          observer.shutdown();
          observer.awaitTermination(5, TimeUnit.SECONDS);
          notes.addAll(conditionNotes(cluster, policy));
          List<String> reports = conditionsSeen.stream().filter(c -> c.startsWith("ClientAddressesSuspect=True")
              || c.endsWith("(NotTakingEffect)")).toList();
          if (!reports.isEmpty()) {
            notes.add("misconfiguration reported during the run: " + String.join(", ", reports));
          }

          cluster.client().resource(policy).delete();
          boolean restored = awaitQuietly(Duration.ofSeconds(30), () -> before.equals(controller.runningConfig()));
          for (LabIngressController.Applied rejected : controller.rejected()) {
            notes.add("nginx rejected a configuration rendered from the Ingress: " + rejected.error());
          }
          policies.close();
          var c = controller.controllerSettings();
          notes.add("ingress controller: " + controller.replicas() + " replicas, --sync-rate-limit "
              + c.syncRateLimit() + "/s (" + controller.syncs() + " syncs, " + controller.reloads()
              + " reloads per replica), limit-req-status-code " + c.limitReqStatusCode()
              + ", use-forwarded-headers " + c.useForwardedHeaders() + ", proxy-real-ip-cidr "
              + String.join(",", c.proxyRealIpCidr()) + ", allow-snippet-annotations " + c.allowSnippetAnnotations()
              + ", annotations-risk-level " + c.annotationsRiskLevel());

          ScenarioOutcome outcome = OutcomeCalculator.calculate(scenario, db, truth, timeline,
              new OutcomeCalculator.RunFacts(baseline, restored, clientLabels, notes, quantiles));
          Files.copy(accessLog, reportDir.resolve(scenario.name() + "-access.log"), StandardCopyOption.REPLACE_EXISTING);
          Files.write(reportDir.resolve(scenario.name() + "-failed-requests.log"), traffic.failures());
          Files.copy(controller.loadBalancerErrorLog(), reportDir.resolve(scenario.name() + "-load-balancer-error.log"),
              StandardCopyOption.REPLACE_EXISTING);
          List<Path> errorLogs = controller.errorLogs();
          for (int i = 0; i < errorLogs.size(); i++) {
            Files.copy(errorLogs.get(i), reportDir.resolve(scenario.name() + "-nginx-error"
                + (i == 0 ? "" : "-replica-" + i) + ".log"), StandardCopyOption.REPLACE_EXISTING);
          }
          TimelineChart.write(reportDir.resolve(scenario.name() + ".png"), outcome, truth, timeline, levels);
          return new Result(outcome, truth, timeline, levels, List.copyOf(conditionsSeen));
        } finally {
          observer.shutdownNow();
          policies.close();
        }
      }
    }
  }

  private ScrapingPolicy loadPolicy(LabCluster cluster, URI prometheus) throws IOException {
    ScrapingPolicy policy = cluster.client().getKubernetesSerialization()
        .unmarshal(Files.readString(scenario.policyFile()), ScrapingPolicy.class);
    policy.getMetadata().setNamespace(cluster.namespace());
    PrometheusSource source = policy.getSpec().getPrometheus() == null ? new PrometheusSource()
        : policy.getSpec().getPrometheus();
    source.setUrl(prometheus.toString());
    policy.getSpec().setPrometheus(source);
    return policy;
  }

  /**
   * The per-client features of the lab policy over a shopper-only run, as quantiles across shopper addresses of each
   * address's peak during the run: the recipe of docs/guides/distributed-crawls.md ("Choosing the bars from your shoppers") that the lab
   * policy's bars come from. Keys are the PromQL queries; NaN when a query had no data.
   */
  static java.util.Map<String, Double> shopperQuantiles(PrometheusServer prometheus, ScrapingPolicy policy,
      Duration run) {
    String window = run.toSeconds() + "s";
    java.util.Map<String, String> features = new java.util.LinkedHashMap<>();
    features.put("raw profile reads",
        "sum by (client) (rate(nginx_http_requests_by_client_total{route=\"/api/users/{id}\"}[30s]))");
    for (var signal : policy.getSpec().getSignals()) {
      if (signal.getPerClient() != null) {
        features.put(signal.getName(), signal.getQuery().strip());
      }
    }
    java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
    for (var f : features.entrySet()) {
      for (String q : List.of("0.99", "0.999", "1")) {
        out.put(f.getKey() + " per client, q" + q, scalar(prometheus,
            "quantile(" + q + ", max_over_time((" + f.getValue() + ")[" + window + ":1s]))"));
      }
      String perPrefix = "sum by (prefix) (label_replace(" + f.getValue()
          + ", \"prefix\", \"$1\", \"client\", \"(\\\\d+\\\\.\\\\d+\\\\.\\\\d+)\\\\..*\"))";
      for (String q : List.of("0.99", "1")) {
        out.put(f.getKey() + " per /24, q" + q, scalar(prometheus,
            "quantile(" + q + ", max_over_time((" + perPrefix + ")[" + window + ":1s]))"));
      }
      // Per /16, the networks of spec.offenders.networks.
      String perNetwork = "sum by (prefix) (label_replace(" + f.getValue()
          + ", \"prefix\", \"$1\", \"client\", \"(\\\\d+\\\\.\\\\d+)\\\\..*\"))";
      out.put(f.getKey() + " per /16, q1", scalar(prometheus,
          "quantile(1, max_over_time((" + perNetwork + ")[" + window + ":1s]))"));
      out.put(f.getKey() + ": clients with a value", scalar(prometheus,
          "count(max_over_time((" + f.getValue() + ")[" + window + ":1s]) > 0)"));
    }
    String ratio = "sum by (client) (increase(nginx_http_requests_by_client_total{route=\"/api/users/{id}\"}[" + window
        + "])) / sum by (client) (increase(nginx_http_requests_by_client_total{route=\"/products/{id}\"}[" + window
        + "]))";
    for (String q : List.of("0.5", "0.99", "1")) {
      out.put("profile reads per product view, q" + q, scalar(prometheus, "quantile(" + q + ", " + ratio + ")"));
    }
    // The same ratio over the 2 m window the enumeration signals gate on, at every instant of the run: a shopper's
    // highest value comes early in a visit (a profile read before much browsing), which a whole-run ratio averages
    // away. A gate on that window must be above this peak; the second figure keeps the clients past the lab policy's
    // floor of client-enumeration (more than 1.5 profile reads in 60 s). Reads are counted as the lab policy counts
    // them, the first read of a series included.
    String ratio2m = "(" + reads("/api/users/{id}", "2m") + " / (" + reads("/products/{id}", "2m") + " > 0))";
    String floor = " and on (client) (" + reads("/api/users/{id}", "60s") + " > 1.5)";
    for (String q : List.of("0.99", "1")) {
      out.put("profile reads per product view over 2m, peak per client, q" + q, scalar(prometheus,
          "quantile(" + q + ", max_over_time(" + ratio2m + "[" + window + ":1s]))"));
      out.put("the same, clients above 1.5 profile reads in 60s, q" + q, scalar(prometheus,
          "quantile(" + q + ", max_over_time((" + ratio2m + floor + ")[" + window + ":1s]))"));
    }
    out.put("clients", scalar(prometheus, "count(count by (client) (nginx_http_requests_by_client_total))"));
    out.put("aggregate profile reads/s, max", scalar(prometheus,
        "max_over_time(sum(rate(storefront_records_served_total{kind=\"profile\"}[20s]))[" + window + ":1s])"));
    return out;
  }

  /**
   * A client's requests of {@code route} within the last {@code window}, as the lab policy counts them: the counter
   * now minus its value a window ago, or the whole counter for a series that is younger (increase() extrapolates and
   * never sees a series' first count).
   */
  static String reads(String route, String window) {
    String x = "sum by (client) (nginx_http_requests_by_client_total{route=\"" + route + "\"}";
    return "(" + x + ") - " + x + " offset " + window + ") or " + x + "))";
  }

  private static Double scalar(PrometheusServer prometheus, String promql) {
    try {
      var result = prometheus.query(promql).path("result");
      if (result.isEmpty()) {
        return Double.NaN;
      }
      return Double.parseDouble(result.get(0).path("value").get(1).asText());
    } catch (RuntimeException e) {
      LOG.info("quantile query failed: {}: {}", promql, e.toString());
      return Double.NaN;
    }
  }

  /** Every value of the {@code client} label of the per-client request counter. */
  private static List<String> clientLabels(PrometheusServer prometheus) {
    List<String> out = new ArrayList<>();
    var data = prometheus.query("count by (client) (nginx_http_requests_by_client_total)");
    for (var sample : data.path("result")) {
      String client = sample.path("metric").path("client").asText(null);
      if (client != null) {
        out.add(client);
      }
    }
    return out;
  }

  private static String allowlistedAddress(ScrapingPolicy policy) {
    if (policy.getSpec().getAllowlist() == null || policy.getSpec().getAllowlist().getCidrs().isEmpty()) {
      return "10.0.0.7";
    }
    String cidr = policy.getSpec().getAllowlist().getCidrs().get(0);
    try {
      return io.antiscraping.lab.traffic.Addresses.take(cidr, 7).get(6);
    } catch (IllegalArgumentException e) {
      return "10.0.0.7";
    }
  }

  private static String level(LabCluster cluster, ScrapingPolicy policy) {
    ScrapingPolicy p = cluster.policy(policy.getMetadata().getName());
    return p == null || p.getStatus() == null ? null : p.getStatus().getLevel();
  }

  private void observe(LabCluster cluster, ScrapingPolicy policy, Timeline timeline, long startNanos,
      int ingressWrites, int statusWrites, int reloads) {
    try {
      ScrapingPolicy p = cluster.policy(policy.getMetadata().getName());
      String level = p == null || p.getStatus() == null ? null : p.getStatus().getLevel();
      if (p != null && p.getStatus() != null && p.getStatus().getConditions() != null) {
        p.getStatus().getConditions().forEach(c -> {
          if (conditionsSeen.add(c.getType() + "=" + c.getStatus() + " (" + c.getReason() + ")")
              && (Conditions.CLIENT_ADDRESSES_SUSPECT.equals(c.getType()) && "True".equals(c.getStatus())
              || "NotTakingEffect".equals(c.getReason()))) {
            LOG.info("scenario {}: {}={} ({}): {}", scenario.name(), c.getType(), c.getStatus(), c.getReason(),
                c.getMessage());
          }
        });
      }
      // The Ingress's denylist is every ban the data plane enforces (network bans as carved, minus the shoppers
      // inside them): what is judged. status.banned (the ban book, a capped list) counts only without a denylist.
      java.util.Set<String> banned = new java.util.TreeSet<>();
      var ingress = cluster.client().network().v1().ingresses().inNamespace(cluster.namespace())
          .withName(LabCluster.SENSITIVE).get();
      String denylist = ingress == null || ingress.getMetadata().getAnnotations() == null ? null
          : ingress.getMetadata().getAnnotations().get(NginxConfigRenderer.DENYLIST);
      if (denylist != null) {
        for (String cidr : denylist.split(",")) {
          if (!cidr.isBlank()) {
            banned.add(cidr.trim());
          }
        }
      } else if (p != null && p.getStatus() != null && p.getStatus().getBanned() != null) {
        p.getStatus().getBanned().stream().map(Ban::getClient).filter(Objects::nonNull).forEach(banned::add);
      }
      timeline.add(new Timeline.Sample(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), level,
          List.copyOf(banned),
          ingressWrites, statusWrites, reloads));
    } catch (RuntimeException e) {
      LOG.debug("observation failed: {}", e.toString());
    }
  }

  private static List<String> conditionNotes(LabCluster cluster, ScrapingPolicy policy) {
    List<String> notes = new ArrayList<>();
    ScrapingPolicy p = cluster.policy(policy.getMetadata().getName());
    if (p != null && p.getStatus() != null && p.getStatus().getConditions() != null) {
      p.getStatus().getConditions().stream()
          .filter(c -> !"True".equals(c.getStatus()) && List.of("Ready", "MetricsAvailable", "Enforced").contains(c.getType())
              || "True".equals(c.getStatus()) && !List.of("Ready", "MetricsAvailable", "Enforced").contains(c.getType()))
          .forEach(c -> notes.add("condition at the end: " + c.getType() + "=" + c.getStatus() + " (" + c.getReason()
              + "): " + c.getMessage()));
    }
    return notes;
  }

  private static <T> ResourceEventHandler<T> countUpdates(AtomicInteger counter) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {}

      @Override
      public void onUpdate(T oldObj, T newObj) {
        counter.incrementAndGet();
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {}
    };
  }

  private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    if (!awaitQuietly(timeout, condition)) {
      throw new IllegalStateException("timed out after " + Durations.format(timeout) + " waiting for " + what);
    }
  }

  private static boolean awaitQuietly(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return true;
        }
      } catch (RuntimeException transientError) {
        LOG.debug("condition check failed: {}", transientError.toString());
      }
      Thread.sleep(200);
    }
    return false;
  }
}
