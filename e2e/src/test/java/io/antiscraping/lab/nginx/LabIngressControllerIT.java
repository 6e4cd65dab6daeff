package io.antiscraping.lab.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.lab.kube.LabCluster;
import io.antiscraping.lab.nginx.ControllerSettings.RiskLevel;
import io.antiscraping.lab.storefront.FakeDb;
import io.antiscraping.lab.storefront.Storefront;
import io.antiscraping.lab.support.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab controller with real nginx replicas behind its load balancer, fed from the in-JVM API server: limits count
 * per replica, configuration changes are paced by the sync rate limit, and values the controller cannot parse show
 * up as it would show them (an outage, or a configuration that stops following the Ingress).
 */
class LabIngressControllerIT {

  static {
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  @TempDir
  Path dir;

  final HttpClient http = HttpClient.newHttpClient();

  int get(int port, String path, String client) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Host", "shop.example")
        .header("X-Forwarded-For", client).header("Accept", "application/json").build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  NginxSettings settings(Storefront storefront, ControllerSettings controller) throws Exception {
    Path prefix = Files.createDirectories(dir.resolve("nginx"));
    Path accessLog = dir.resolve("access.log");
    Files.createFile(accessLog);
    return new NginxSettings(prefix, FreePorts.next(), accessLog, Map.of("storefront", storefront.port()),
        NginxProcess.preparePrefix(prefix), NginxProcess.prepareCrsInclude(prefix),
        NginxSettings.DEBIAN_MODSECURITY_MODULE, controller);
  }

  static void annotate(LabCluster cluster, Map<String, String> annotations) {
    cluster.client().network().v1().ingresses().inNamespace(cluster.namespace()).withName("storefront")
        .edit(i -> {
          if (i.getMetadata().getAnnotations() == null) {
            i.getMetadata().setAnnotations(new java.util.HashMap<>());
          }
          i.getMetadata().getAnnotations().putAll(annotations);
          return i;
        });
  }

  static void await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within " + timeout).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void limitsCountPerReplicaAndChangesArePacedBySyncRateLimit() throws Exception {
    ControllerSettings controller = ControllerSettings.operatorRequirements(List.of("127.0.0.0/8"));
    try (Storefront storefront = Storefront.start(FakeDb.standard(), 0);
         LabCluster cluster = LabCluster.embedded()) {
      cluster.createStorefrontIngress();
      annotate(cluster, Map.of(AnnotationParser.LIMIT_RPM, "6", AnnotationParser.LIMIT_BURST_MULTIPLIER, "2"));
      try (LabIngressController lab = LabIngressController.start(cluster.client(), cluster.namespace(),
          settings(storefront, controller))) {
        int port = lab.listenPort();
        assertThat(lab.replicas()).isEqualTo(2);
        // 6 r/m with a burst of 12 in each replica: one request plus the burst, twice, then the default 503
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          statuses.add(get(port, "/api/users/" + (i + 1), "192.0.2.50"));
        }
        assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(26);
        assertThat(statuses.subList(30, 40)).containsOnly(503);

        // five writes within a second, the bucket full: the first sync runs at once, the rest wait for the next
        // token (1 / 0.3 s later) and are applied together
        // (the informer's initial add events cost one sync after start: let it pass and the token come back)
        await(Duration.ofSeconds(10), () -> lab.syncs() >= 2);
        Thread.sleep(controller.syncInterval().toMillis() + 200);
        int reloadsBefore = lab.reloads();
        long start = System.nanoTime();
        for (int i = 1; i <= 5; i++) {
          annotate(cluster, Map.of(AnnotationParser.DENYLIST, "203.0.113." + i + "/32"));
          Thread.sleep(150);
        }
        await(Duration.ofSeconds(10), () -> lab.runningConfig().contains("deny 203.0.113.5/32;"));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(lab.reloads() - reloadsBefore).isEqualTo(2);
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(controller.syncInterval().toMillis() - 300);
        Thread.sleep(1_000); // nginx -s reload: the old workers finish their connections
        assertThat(get(port, "/products/1", "203.0.113.5")).isEqualTo(403);
      }
    }
  }

  @Test
  void invalidValuesShowUpAsTheControllerShowsThem() throws Exception {
    ControllerSettings controller = ControllerSettings.operatorRequirements(List.of("127.0.0.0/8"))
        .withSyncRateLimit(20);
    try (Storefront storefront = Storefront.start(FakeDb.standard(), 0);
         LabCluster cluster = LabCluster.embedded()) {
      cluster.createStorefrontIngress();
      annotate(cluster, Map.of(AnnotationParser.LIMIT_RPS, "50"));
      try (LabIngressController lab = LabIngressController.start(cluster.client(), cluster.namespace(),
          settings(storefront, controller))) {
        int port = lab.listenPort();
        assertThat(get(port, "/products/1", "100.64.0.1")).isEqualTo(200);

        // an invalid integer: the controller refuses the Ingress and keeps the last version it accepted
        annotate(cluster, Map.of(AnnotationParser.LIMIT_RPS, "10r/s", AnnotationParser.DENYLIST, "203.0.113.9/32"));
        await(Duration.ofSeconds(10), () -> !lab.rejected().isEmpty());
        assertThat(lab.rejected().get(0).error()).contains("refused Ingress " + cluster.namespace() + "/storefront").contains("limit-rps");
        assertThat(lab.runningConfig()).contains("rate=50r/s").doesNotContain("203.0.113.9");
        assertThat(get(port, "/products/1", "203.0.113.9")).isEqualTo(200);

        // an operator bug writing an invalid denylist entry is a storefront outage: every shopper gets 503
        annotate(cluster, Map.of(AnnotationParser.LIMIT_RPS, "50", AnnotationParser.DENYLIST, "203.0.113.9/32,bad"));
        await(Duration.ofSeconds(10), () -> lab.runningConfig().contains("Location denied"));
        Thread.sleep(1_000); // nginx -s reload: the old workers finish their connections
        for (int i = 0; i < 6; i++) {
          assertThat(get(port, "/products/" + (i + 1), "100.64.0." + (i + 1))).isEqualTo(503);
        }
        assertThat(lab.rejected()).anySatisfy(a -> assertThat(a.error()).contains("every location answers 503"));
      }
    }
  }

  @Test
  void aControllerThatRefusesSnippetsFreezesTheIngressWithoutAWord() throws Exception {
    ControllerSettings controller = ControllerSettings.controllerDefaults()
        .withRealIp(true, List.of("127.0.0.0/8")).withSyncRateLimit(20).withReplicas(1);
    assertThat(controller.annotationsRiskLevel()).isEqualTo(RiskLevel.HIGH);
    try (Storefront storefront = Storefront.start(FakeDb.standard(), 0);
         LabCluster cluster = LabCluster.embedded()) {
      cluster.createStorefrontIngress();
      annotate(cluster, Map.of(AnnotationParser.DENYLIST, "203.0.113.1/32"));
      try (LabIngressController lab = LabIngressController.start(cluster.client(), cluster.namespace(),
          settings(storefront, controller))) {
        int port = lab.listenPort();
        annotate(cluster, Map.of(AnnotationParser.DENYLIST, "203.0.113.2/32", AnnotationParser.ENABLE_MODSECURITY,
            "true", AnnotationParser.MODSECURITY_SNIPPET, "SecRuleEngine On\n"));
        await(Duration.ofSeconds(10), () -> !lab.rejected().isEmpty());
        assertThat(lab.rejected().get(0).error()).contains("modsecurity-snippet").contains("too risky");
        // the new ban never reaches nginx, the old one stays
        assertThat(get(port, "/products/1", "203.0.113.2")).isEqualTo(200);
        assertThat(get(port, "/products/1", "203.0.113.1")).isEqualTo(403);
      }
    }
  }
}
