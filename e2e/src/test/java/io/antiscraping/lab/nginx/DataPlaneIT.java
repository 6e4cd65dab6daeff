package io.antiscraping.lab.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.lab.metrics.MtailProcess;
import io.antiscraping.lab.storefront.FakeDb;
import io.antiscraping.lab.storefront.Storefront;
import io.antiscraping.lab.support.FreePorts;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's data plane with real processes: nginx configured by the renderer in front of the storefront, clients
 * told apart by X-Forwarded-For, limits answering the controller's default 503, bans 403, and mtail turning the access log into per-client
 * counters.
 */
class DataPlaneIT {

  static {
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  @TempDir
  Path dir;

  final HttpClient http = HttpClient.newHttpClient();

  int get(int port, String path, String forwardedFor) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Host", "shop.example")
        .header("X-Forwarded-For", forwardedFor).header("Accept", "application/json").build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void limitsBansRealIpAndPerClientMetrics() throws Exception {
    try (Storefront storefront = Storefront.start(FakeDb.standard(), 0)) {
      Path prefix = Files.createDirectories(dir.resolve("nginx"));
      Path accessLog = dir.resolve("access.log");
      Files.createFile(accessLog);
      NginxSettings settings = new NginxSettings(prefix, FreePorts.next(), accessLog,
          Map.of("storefront", storefront.port()), List.of("127.0.0.0/8"), NginxProcess.preparePrefix(prefix),
          NginxProcess.prepareCrsInclude(prefix), NginxSettings.DEBIAN_MODSECURITY_MODULE);
      List<Ingress> ingresses = NginxConfigRendererTest.ingresses("severe");
      // limit-rpm 6 x limit-burst-multiplier 2: one request plus a burst of 12, then 503
      ingresses.get(0).getMetadata().getAnnotations().put(NginxConfigRenderer.LIMIT_RPM, "6");
      try (MtailProcess mtail = MtailProcess.start(dir, accessLog);
           NginxProcess nginx = NginxProcess.start(prefix, NginxConfigRenderer.render(ingresses, settings),
               settings.listenPort())) {
        int port = settings.listenPort();
        // banned address (denylist 203.0.113.7/32): 403, also when it claims another address in front
        assertThat(get(port, "/products/1", "203.0.113.7")).isEqualTo(403);
        assertThat(get(port, "/products/1", "10.1.2.3, 203.0.113.7")).isEqualTo(403);
        // a client over its limit (6 r/m, burst 12) gets 503 (limit-req-status-code default) after the burst
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          statuses.add(get(port, "/api/users/" + (i + 1), "192.0.2.50"));
        }
        assertThat(statuses.subList(0, 13)).as("one request plus the burst").containsOnly(200);
        assertThat(statuses.subList(13, 20)).containsOnly(503);
        // another client is not affected; an allowlisted one is never limited
        assertThat(get(port, "/products/2", "192.0.2.51")).isEqualTo(200);
        for (int i = 0; i < 20; i++) {
          assertThat(get(port, "/products/3", "10.9.9.9")).isEqualTo(200);
        }
        // garbage in front of the true address changes nothing
        assertThat(get(port, "/products/4", "<script>, 192.0.2.52")).isEqualTo(200);

        // a signed-in customer's own profile is counted apart from other people's records; a session the
        // storefront did not issue reads somebody else's record
        for (String cookie : List.of("session=" + storefront.signIn(77), "session=" + storefront.signIn(77),
            "session=78" + storefront.signIn(77).substring(2))) {
          assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/users/77"))
              .header("Host", "shop.example").header("X-Forwarded-For", "192.0.2.53").header("Cookie", cookie)
              .build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        }

        // the access log names the true clients, and mtail counts them per client, status and route
        HttpResponse<String> metrics = awaitMetrics(mtail,
            "client=\"192.0.2.53\",prog=\"nginx-clients.mtail\",route=\"/api/users/{id}\"");
        assertThat(metrics.body())
            .contains("nginx_http_requests_by_client_total{client=\"192.0.2.50\",prog=\"nginx-clients.mtail\","
                + "route=\"/api/users/{id}\",status=\"200\"} 13")
            .contains("nginx_http_requests_by_client_total{client=\"192.0.2.53\",prog=\"nginx-clients.mtail\","
                + "route=\"/api/users/{self}\",status=\"200\"} 2")
            .contains("nginx_http_requests_by_client_total{client=\"192.0.2.53\",prog=\"nginx-clients.mtail\","
                + "route=\"/api/users/{id}\",status=\"200\"} 1")
            .contains("client=\"203.0.113.7\"")
            .doesNotContain("client=\"<script>").doesNotContain("client=\"10.1.2.3\"");
      }
    }
  }

  private HttpResponse<String> awaitMetrics(MtailProcess mtail, String expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    HttpResponse<String> r;
    do {
      r = http.send(HttpRequest.newBuilder(URI.create("http://" + mtail.target() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.body().contains(expected)) {
        return r;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return r;
  }

  @Test
  void blockingWafWithTheCoreRuleSetStopsScannersButNotBrowsers() throws Exception {
    try (Storefront storefront = Storefront.start(FakeDb.standard(), 0)) {
      Path prefix = Files.createDirectories(dir.resolve("nginx"));
      Path accessLog = dir.resolve("access.log");
      NginxSettings settings = new NginxSettings(prefix, FreePorts.next(), accessLog,
          Map.of("storefront", storefront.port()), List.of("127.0.0.0/8"), NginxProcess.preparePrefix(prefix),
          NginxProcess.prepareCrsInclude(prefix), NginxSettings.DEBIAN_MODSECURITY_MODULE);
      List<Ingress> ingresses = NginxConfigRendererTest.ingresses("severe"); // SecRuleEngine On, CRS, paranoia 2
      ingresses.get(0).getMetadata().getAnnotations().remove(NginxConfigRenderer.LIMIT_RPM);
      try (NginxProcess nginx = NginxProcess.start(prefix, NginxConfigRenderer.render(ingresses, settings),
          settings.listenPort())) {
        int port = settings.listenPort();
        HttpRequest.Builder browser = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/products/7"))
            .header("Host", "shop.example").header("X-Forwarded-For", "192.0.2.60").header("Accept", "text/html")
            .header("Accept-Language", "en").header("User-Agent",
                "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0");
        assertThat(http.send(browser.build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        HttpRequest scanner = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/products/7"))
            .header("Host", "shop.example").header("X-Forwarded-For", "192.0.2.61").header("Accept", "*/*")
            .header("User-Agent", "sqlmap/1.7.2#stable (https://sqlmap.org)").build();
        assertThat(http.send(scanner, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(403);
        assertThat(Files.readString(nginx.errorLog())).contains("949110");
      }
    }
  }

  /** 20 requests of one client, as statuses. */
  private List<Integer> burst(int port, String forwardedFor) throws Exception {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      statuses.add(get(port, "/api/users/" + (i + 1), forwardedFor));
    }
    return statuses;
  }

  private NginxSettings settings(Storefront storefront, ControllerSettings controller) throws Exception {
    Path prefix = Files.createDirectories(dir.resolve("nginx"));
    Path accessLog = dir.resolve("access.log");
    return new NginxSettings(prefix, FreePorts.next(), accessLog, Map.of("storefront", storefront.port()),
        NginxProcess.preparePrefix(prefix), NginxProcess.prepareCrsInclude(prefix),
        NginxSettings.DEBIAN_MODSECURITY_MODULE, controller);
  }

  @Test
  void withTheControllerDefaultsEveryClientIsTheLoadBalancer() throws Exception {
    // use-forwarded-headers false: $remote_addr is the TCP peer, here 127.0.0.1 for everyone
    try (Storefront storefront = Storefront.start(FakeDb.standard(), 0)) {
      NginxSettings settings = settings(storefront, ControllerSettings.controllerDefaults());
      List<Ingress> ingresses = NginxConfigRendererTest.ingresses("severe");
      ingresses.get(0).getMetadata().getAnnotations().put(NginxConfigRenderer.LIMIT_RPM, "6");
      ingresses.get(0).getMetadata().getAnnotations().remove(NginxConfigRenderer.MODSECURITY_SNIPPET);
      try (NginxProcess nginx = NginxProcess.start(settings.prefix(), NginxConfigRenderer.render(ingresses, settings),
          settings.listenPort())) {
        int port = settings.listenPort();
        assertThat(burst(port, "192.0.2.50").subList(13, 20)).containsOnly(503);
        // another client shares the same (exhausted) limit: to nginx, both are the load balancer
        assertThat(get(port, "/products/2", "192.0.2.51")).isEqualTo(503);
        assertThat(Files.readString(settings.accessLog())).doesNotContain("192.0.2.5").contains("127.0.0.1 ");
      }
    }
  }

  @Test
  void trustingEveryPeerLetsClientsChooseTheirAddress() throws Exception {
    // use-forwarded-headers with proxy-real-ip-cidr left at 0.0.0.0/0: every hop of X-Forwarded-For is trusted, so
    // the address a client writes in front of the one the load balancer appends becomes the client
    try (Storefront storefront = Storefront.start(FakeDb.standard(), 0)) {
      NginxSettings settings = settings(storefront, ControllerSettings.controllerDefaults()
          .withRealIp(true, ControllerSettings.controllerDefaults().proxyRealIpCidr()));
      List<Ingress> ingresses = NginxConfigRendererTest.ingresses("severe");
      ingresses.get(0).getMetadata().getAnnotations().put(NginxConfigRenderer.LIMIT_RPM, "6");
      ingresses.get(0).getMetadata().getAnnotations().remove(NginxConfigRenderer.MODSECURITY_SNIPPET);
      try (NginxProcess nginx = NginxProcess.start(settings.prefix(), NginxConfigRenderer.render(ingresses, settings),
          settings.listenPort())) {
        int port = settings.listenPort();
        // claiming an allowlisted address (limit-allowlist 10.0.0.0/8): never limited
        assertThat(burst(port, "10.9.9.9, 192.0.2.50")).containsOnly(200);
        // a banned client escapes its ban by claiming another address
        assertThat(get(port, "/products/1", "203.0.113.7")).isEqualTo(403);
        assertThat(get(port, "/products/1", "192.0.2.99, 203.0.113.7")).isEqualTo(200);
        // and a crawler can spend a shopper's budget: the shopper is then limited
        burst(port, "192.0.2.60, 198.18.0.1");
        assertThat(get(port, "/products/3", "192.0.2.60")).isEqualTo(503);
        assertThat(Files.readString(settings.accessLog())).contains("10.9.9.9 ").doesNotContain("192.0.2.50 ");
      }
    }
  }
}
