package io.antiscraping.operator.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Security findings 2 and 3: where a policy may send queries and credentials. */
class PrometheusAccessTest {

  static final URI DEFAULT = URI.create("http://prometheus-operated.monitoring:9090");

  /** A resolver from a fixed table: what the cluster DNS would answer an attacker-chosen name. */
  static PrometheusAccess.Resolver dns(Map<String, String> table) {
    return host -> {
      String a = table.get(host);
      if (a == null && host.matches("[0-9.]+|\\[[0-9a-fA-F:.]+]")) {
        return new InetAddress[] {InetAddress.getByName(host)}; // a literal: no lookup
      }
      if (a == null) {
        throw new UnknownHostException(host);
      }
      return new InetAddress[] {InetAddress.getByName(a)};
    };
  }

  static final PrometheusAccess.Resolver CLUSTER_DNS = dns(Map.of(
      "prometheus.tenant-a.svc", "10.96.4.7",
      "metadata.attacker.example", "169.254.169.254",
      "localhost", "127.0.0.1",
      "v6meta.attacker.example", "fd00:ec2::254",
      "mapped.attacker.example", "::ffff:169.254.169.254",
      "prom.monitoring.svc", "10.96.0.9"));

  /** Issue S (echoed error text): whose words may reach a status is the admin's list, not "any host that passes". */
  @Test
  void onlyTheDefaultAndTheAllowlistAreAdminListed() {
    PrometheusAccess open = PrometheusAccess.open(DEFAULT);
    assertThat(open.adminListed(DEFAULT)).isTrue();
    assertThat(open.adminListed(null)).as("no URL is the default").isTrue();
    assertThat(open.adminListed(URI.create("http://PROMETHEUS-operated.monitoring:9090/"))).isTrue();
    assertThat(open.adminListed(URI.create("http://internal-api.payments.svc:8080")))
        .as("an empty allowlist lets a policy query any ordinary host, but names none").isFalse();
    assertThat(open.adminListed(URI.create("http://prometheus-operated.monitoring:9091"))).isFalse();
    PrometheusAccess listed = new PrometheusAccess(DEFAULT,
        List.of("https://thanos.observability.svc:10902/prom", "*.monitoring.svc"), false, CLUSTER_DNS);
    assertThat(listed.adminListed(URI.create("https://thanos.observability.svc:10902/prom/tenant"))).isTrue();
    assertThat(listed.adminListed(URI.create("https://thanos.observability.svc:10902/admin"))).isFalse();
    assertThat(listed.adminListed(URI.create("http://prom.monitoring.svc:9090"))).as("a wildcard entry").isTrue();
    assertThat(listed.adminListed(URI.create("http://prom.monitoring.svc/%2e%2e/x"))).isFalse();
  }

  /**
   * Issue S (labelled Secret sent anywhere): the label says a Secret may be used as credentials, not where to. With
   * an empty allowlist a token went to any https host a policy named; now only where the Secret's annotation says,
   * or, without one, to a server the admin named.
   */
  @Test
  void aBearerTokenGoesOnlyWhereItsSecretOrTheAdminSays() {
    PrometheusAccess open = PrometheusAccess.open(DEFAULT);
    URI attacker = URI.create("https://collector.attacker.example/prom");
    URI thanos = URI.create("https://thanos.observability.svc:10902/tenant-a");
    assertThat(open.tokenRefusal(attacker, "shop/token", Optional.empty())).get().asString()
        .contains("the bearer token of Secret shop/token is not sent to https://collector.attacker.example/prom")
        .contains(PrometheusAccess.DESTINATION_ANNOTATION);
    assertThat(open.tokenRefusal(DEFAULT, "shop/token", Optional.empty())).as("the default Prometheus").isEmpty();
    assertThat(open.tokenRefusal(null, "shop/token", Optional.empty())).isEmpty();

    Optional<String> boundToThanos = Optional.of("https://thanos.observability.svc:10902/tenant-a, prom.shop.svc");
    assertThat(open.tokenRefusal(thanos, "shop/token", boundToThanos)).isEmpty();
    assertThat(open.tokenRefusal(URI.create("https://prom.shop.svc"), "shop/token", boundToThanos)).isEmpty();
    assertThat(open.tokenRefusal(attacker, "shop/token", boundToThanos)).get().asString()
        .contains("names other servers");
    assertThat(open.tokenRefusal(URI.create("https://thanos.observability.svc:10902/tenant-b"), "shop/token",
        boundToThanos)).as("a path-scoped destination").isPresent();
    assertThat(open.tokenRefusal(DEFAULT, "shop/token", boundToThanos))
        .as("the Secret's binding holds even towards a server the admin named").isPresent();
    assertThat(open.tokenRefusal(thanos, "shop/token", Optional.of("ftp://x"))).get().asString()
        .contains("is not valid");

    PrometheusAccess listing = new PrometheusAccess(DEFAULT, List.of("*.observability.svc"), false, CLUSTER_DNS);
    assertThat(listing.tokenRefusal(thanos, "shop/token", Optional.empty()))
        .as("the admin vouches for the servers it lists").isEmpty();
  }

  @Test
  void aUrlOutsideTheAdminsAllowlistIsRefused() {
    PrometheusAccess access = new PrometheusAccess(DEFAULT,
        List.of("https://thanos.observability.svc:10902/prom", "*.monitoring.svc", "prometheus.tenant-a.svc:9090"),
        false, CLUSTER_DNS);
    assertThat(access.refusal(URI.create("http://prometheus.payments.svc:9090"), false)).get().asString()
        .contains("not in the operator's allowlist").contains("http://prometheus.payments.svc:9090");
    assertThat(access.refusal(URI.create("https://thanos.observability.svc:10902/prom"), false)).isEmpty();
    assertThat(access.refusal(URI.create("https://thanos.observability.svc:10902/prom/sub"), false)).isEmpty();
    assertThat(access.refusal(URI.create("https://thanos.observability.svc:10902/prometheus"), false))
        .as("a path prefix matches whole segments").isPresent();
    assertThat(access.refusal(URI.create("http://thanos.observability.svc:10902/prom"), false))
        .as("the scheme of a URL entry is part of it").isPresent();
    assertThat(access.refusal(URI.create("http://prom.monitoring.svc:9090"), false)).isEmpty();
    assertThat(access.refusal(URI.create("http://evilmonitoring.svc:9090"), false)).isPresent();
    assertThat(access.refusal(URI.create("http://prometheus.tenant-a.svc:9090"), false)).isEmpty();
    assertThat(access.refusal(URI.create("http://prometheus.tenant-a.svc:9091"), false)).isPresent();
    assertThat(access.refusal(DEFAULT, false)).as("the default Prometheus is always allowed").isEmpty();
    assertThat(access.refusal(null, false)).isEmpty();
  }

  @Test
  void withoutAnAllowlistAnyHostPassesTheStaticCheck() {
    PrometheusAccess access = new PrometheusAccess(DEFAULT, List.of(), false, CLUSTER_DNS);
    assertThat(access.refusal(URI.create("http://prometheus.payments.svc:9090"), false)).isEmpty();
  }

  @Test
  void aBearerTokenNeedsHttpsUnlessTheAdminAllowsPlainHttp() {
    PrometheusAccess strict = new PrometheusAccess(DEFAULT, List.of(), false, CLUSTER_DNS);
    assertThat(strict.refusal(URI.create("http://attacker.example:80"), true)).get().asString()
        .contains("needs an https URL").contains("--allow-bearer-token-over-http");
    assertThat(strict.refusal(DEFAULT, true)).as("the default Prometheus too: the token is on the wire").isPresent();
    assertThat(strict.refusal(URI.create("https://attacker.example"), true)).isEmpty();
    PrometheusAccess lax = new PrometheusAccess(DEFAULT, List.of(), true, CLUSTER_DNS);
    assertThat(lax.refusal(URI.create("http://prom.monitoring.svc:9090"), true)).isEmpty();
  }

  @Test
  void loopbackLinkLocalAndMetadataTargetsAreRefusedAfterResolution() {
    PrometheusAccess access = new PrometheusAccess(DEFAULT, List.of(), false, CLUSTER_DNS);
    assertThat(access.addressRefusal(URI.create("http://169.254.169.254/latest/meta-data"))).get().asString()
        .contains("169.254.169.254").contains("link-local");
    assertThat(access.addressRefusal(URI.create("http://metadata.attacker.example"))).get().asString()
        .contains("metadata.attacker.example resolves to 169.254.169.254");
    assertThat(access.addressRefusal(URI.create("http://localhost:9090"))).get().asString().contains("loopback");
    assertThat(access.addressRefusal(URI.create("http://127.0.0.2:9090"))).get().asString().contains("loopback");
    assertThat(access.addressRefusal(URI.create("http://[::1]:9090"))).get().asString().contains("loopback");
    assertThat(access.addressRefusal(URI.create("http://0.0.0.0:9090"))).get().asString().contains("unspecified");
    assertThat(access.addressRefusal(URI.create("http://[fe80::1]:9090"))).get().asString().contains("link-local");
    assertThat(access.addressRefusal(URI.create("http://v6meta.attacker.example"))).get().asString()
        .contains("metadata");
    assertThat(access.addressRefusal(URI.create("http://mapped.attacker.example"))).get().asString()
        .contains("169.254.169.254");
    assertThat(access.addressRefusal(URI.create("http://100.100.100.200"))).get().asString().contains("metadata");
    assertThat(access.addressRefusal(URI.create("http://prometheus.tenant-a.svc:9090"))).isEmpty();
    assertThat(access.addressRefusal(URI.create("http://does-not-resolve.example"))).as("the query reports it")
        .isEmpty();
  }

  /**
   * Security finding S3: Google Cloud's IPv6 metadata address, and the IPv4 metadata address reached through a NAT64
   * gateway (169.254.169.254 inside 64:ff9b::/96), were queried.
   */
  @Test
  void cloudIpv6MetadataAndNat64EmbeddedSpecialAddressesAreRefused() {
    PrometheusAccess access = new PrometheusAccess(DEFAULT, List.of(), false, dns(Map.of(
        "gce.attacker.example", "fd20:ce::254", "nat64.attacker.example", "64:ff9b::a9fe:a9fe")));
    assertThat(access.addressRefusal(URI.create("http://[fd20:ce::254]"))).get().asString()
        .contains("cloud metadata");
    assertThat(access.addressRefusal(URI.create("http://gce.attacker.example"))).get().asString()
        .contains("resolves to fd20:ce:0:0:0:0:0:254").contains("cloud metadata");
    assertThat(access.addressRefusal(URI.create("http://nat64.attacker.example"))).get().asString()
        .contains("NAT64-embedded link-local (cloud metadata)");
    for (String host : List.of("[64:ff9b::169.254.169.254]", "[64:ff9b::7f00:1]", "[64:ff9b:1::a9fe:a9fe]",
        "[64:ff9b::6464:64c8]", "[64:ff9b::0:0]")) {
      assertThat(access.addressRefusal(URI.create("http://" + host + ":9090"))).as(host).get().asString()
          .contains("NAT64-embedded");
    }
    assertThat(access.addressRefusal(URI.create("http://[64:ff9b::c000:207]:9090"))).as("192.0.2.7 via NAT64")
        .isEmpty();
    assertThat(access.addressRefusal(URI.create("http://[fd20:cf::254]:9090"))).isEmpty();
  }

  @Test
  void aHostTheAdminNamesIsQueriedWhateverItResolvesTo() {
    PrometheusAccess access = new PrometheusAccess(DEFAULT, List.of("127.0.0.1", "*.attacker.example"), false,
        CLUSTER_DNS);
    assertThat(access.addressRefusal(URI.create("http://127.0.0.1:9090"))).isEmpty();
    assertThat(access.addressRefusal(URI.create("http://metadata.attacker.example")))
        .as("a wildcard does not name a host: the address check still applies").isPresent();
    PrometheusAccess loopbackDefault = new PrometheusAccess(URI.create("http://127.0.0.1:9090"), List.of(), false,
        CLUSTER_DNS);
    assertThat(loopbackDefault.addressRefusal(null)).as("the admin's default Prometheus").isEmpty();
    assertThat(loopbackDefault.addressRefusal(URI.create("http://127.0.0.1:9091"))).isPresent();
  }

  @Test
  void malformedAllowlistEntriesAreRefusedWithTheirText() {
    for (String bad : List.of("", "ftp://x", "user@host", "http://h/?q", "host/path")) {
      assertThatThrownBy(() -> PrometheusAccess.checkEntry(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    PrometheusAccess.checkEntry("prometheus.monitoring.svc");
    PrometheusAccess.checkEntry("[fd00::1]:9090");
    PrometheusAccess.checkEntry("*.monitoring.svc:9090");
  }

  /**
   * Security finding S2: with the admin's allowlist naming a path, a dot segment or a percent-encoded delimiter took a
   * policy's URL out of that path ({@code /tenant-a/../tenant-b}) past the prefix comparison. Such paths are refused
   * with the reason, and paths are compared normalised.
   */
  @Test
  void aDotSegmentOrAnEncodedDelimiterCannotLeaveTheAllowedPath() {
    PrometheusAccess access = new PrometheusAccess(DEFAULT, List.of("http://thanos.observability.svc/tenant-a"),
        false, CLUSTER_DNS);
    for (String path : List.of("/tenant-a/../tenant-b", "/tenant-a/%2e%2e/admin", "/tenant-a/%2E%2E/admin",
        "/tenant-a/..;/admin", "/tenant-a/.%2e/admin", "/tenant-a%2f..%2ftenant-b", "/tenant-a/%3f", "/tenant-a/%23",
        "/tenant-a/%5c..%5cadmin", "/tenant-a/%252e%252e/admin", "/tenant-a/./x", "/tenant-a/..")) {
      assertThat(access.refusal(URI.create("http://thanos.observability.svc" + path), false)).as(path).get()
          .asString().startsWith("url path must not contain a ");
    }
    assertThat(access.refusal(URI.create("http://thanos.observability.svc/tenant-a/%2e%2e/admin"), false)).get()
        .asString().isEqualTo("url path must not contain a percent-encoded . / ? # \\ or % (%2e)");
    assertThat(access.refusal(URI.create("http://thanos.observability.svc/tenant-a/../tenant-b"), false)).get()
        .asString().isEqualTo("url path must not contain a dot segment (/./ or /../)");
    // compared normalised: repeated and trailing slashes, encoded unreserved characters
    for (String path : List.of("/tenant-a", "/tenant-a/", "//tenant-a//x/", "/%74enant-a/x", "/tenant-a/..x")) {
      assertThat(access.refusal(URI.create("http://thanos.observability.svc" + path), false)).as(path).isEmpty();
    }
    assertThat(access.refusal(URI.create("http://thanos.observability.svc/tenant-b"), false)).get().asString()
        .contains("not in the operator's allowlist");
    assertThatThrownBy(() -> PrometheusAccess.checkEntry("http://thanos/tenant-a/../tenant-b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dot segment");
  }

  /** Finding 8: with a tenant parameter, every query carries the policy's namespace for the query proxy. */
  @Test
  void aTenantParameterCarriesThePolicysNamespaceWithEveryQueryAndSeparatesTheCache() {
    try (StubPrometheus stub = new StubPrometheus()) {
      stub.json("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"3\"]}}");
      PrometheusAccess access = PrometheusAccess.open(DEFAULT).withTenantParameter("namespace");
      java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
      PrometheusClient client = new PrometheusClient(null);
      QueryCache cache = new QueryCache((ep, q) -> {
        sent.incrementAndGet();
        return client.query(ep, q);
      });
      assertThat(cache.query(access.scoped(stub.endpoint(), "payments"), "count(kube_secret_info)"))
          .isEqualTo(new QueryResult.Scalar(3));
      assertThat(stub.lastRequest.get().query()).contains("namespace=payments").contains("query=count");
      cache.query(access.scoped(stub.endpoint(), "shop"), "count(kube_secret_info)");
      assertThat(stub.lastRequest.get().query()).contains("namespace=shop");
      assertThat(sent.get()).as("two tenants never share an answer").isEqualTo(2);

      String longQuery = "sum(rate(x{a=\"" + "y".repeat(3000) + "\"}[1m]))";
      client.query(access.scoped(stub.endpoint(), "payments"), longQuery);
      assertThat(stub.lastRequest.get().method()).isEqualTo("POST");
      assertThat(stub.lastRequest.get().body()).contains("namespace=payments");
      assertThat(PrometheusAccess.open(DEFAULT).scoped(stub.endpoint(), "payments").tenant()).isEmpty();
    }
  }
}
