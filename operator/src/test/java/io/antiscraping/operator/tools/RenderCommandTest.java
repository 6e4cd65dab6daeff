package io.antiscraping.operator.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderCommandTest {

  static final String EXAMPLE = ValidateCommandTest.EXAMPLE.toString();

  @TempDir
  Path dir;

  Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  static List<JsonNode> docs(String yaml) {
    try {
      return YamlDocuments.parse("out", yaml).stream().map(YamlDocuments.Document::node).toList();
    } catch (YamlDocuments.SourceException e) {
      throw new AssertionError(e.getMessage() + ":\n" + yaml, e);
    }
  }

  @Test
  void ingressNginxAnnotationsOfALevelWithBansOnTheSelectedIngresses() throws IOException {
    Path bans = write("bans.txt", "# in force\n203.0.113.7\n198.51.100.0/24  # a prefix ban\n");
    Path targets = write("ingresses.yaml", """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: profiles
          namespace: shop
          labels: {app.kubernetes.io/part-of: storefront, antiscraping.io/protected: "true"}
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: catalogue
          namespace: shop
          labels: {app.kubernetes.io/part-of: storefront}
        """);
    CliRun.Result r = CliRun.run("render", EXAMPLE, "--level", "elevated", "--bans", bans.toString(),
        "--provider", "IngressNginx", "--targets", targets.toString());
    assertThat(r.code()).as(r.all()).isZero();
    List<JsonNode> out = docs(r.out());
    assertThat(out).hasSize(1);
    JsonNode a = out.get(0).at("/metadata/annotations");
    assertThat(out.get(0).at("/metadata/name").asText()).isEqualTo("profiles");
    assertThat(a.path("nginx.ingress.kubernetes.io/denylist-source-range").asText())
        .isEqualTo("198.51.100.0/24,203.0.113.7/32");
    assertThat(a.path("nginx.ingress.kubernetes.io/enable-owasp-core-rules").asText()).isEqualTo("true");
    assertThat(a.path("nginx.ingress.kubernetes.io/limit-rpm").asText()).isEqualTo("30");
    assertThat(a.path("nginx.ingress.kubernetes.io/limit-rpm").isTextual()).as("annotation values are strings: %s",
        r.out()).isTrue();
    assertThat(a.path("nginx.ingress.kubernetes.io/enable-modsecurity").isTextual()).isTrue();
    assertThat(a.path("antiscraping.io/policy").asText()).isEqualTo("storefront");
    assertThat(a.has("antiscraping.io/owned-keys")).as("managedFields say which keys are the operator's").isFalse();
  }

  @Test
  void whatTheDataPlaneCannotExpressIsNamed() {
    CliRun.Result r = CliRun.run("render", EXAMPLE, "--level", "severe");
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).contains("# not enforceable: ").contains("whitelist-source-range");
    CliRun.Result snippets = CliRun.run("render", EXAMPLE, "--level", "severe", "--allow-snippet-annotations");
    assertThat(snippets.out()).contains("modsecurity-snippet").contains("SecRuleEngine On");
  }

  @Test
  void envoyGatewayPoliciesAfterTheTargetsReadyForEgctl() throws IOException {
    Path targets = write("gateway.yaml", """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: eg}
        spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          name: profiles
          namespace: shop
          labels: {app.kubernetes.io/part-of: storefront, antiscraping.io/protected: "true"}
        spec:
          parentRefs: [{name: web}]
        """);
    Path bans = write("bans.txt", "203.0.113.7\n");
    CliRun.Result r = CliRun.run("render", EXAMPLE, "--level", "elevated", "--provider", "EnvoyGateway",
        "--targets", targets.toString(), "--bans", bans.toString(), "-o", "json");
    assertThat(r.code()).as(r.all()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    JsonNode objects = json.path("objects");
    assertThat(objects).extracting(o -> o.path("kind").asText())
        .containsExactly("GatewayClass", "HTTPRoute", "BackendTrafficPolicy", "SecurityPolicy");
    JsonNode btp = objects.get(2);
    assertThat(btp.at("/metadata/name").asText()).isEqualTo("storefront-ratelimit");
    assertThat(btp.at("/metadata/ownerReferences/0/kind").asText()).isEqualTo("ScrapingPolicy");
    assertThat(btp.at("/spec/targetRefs/0/name").asText()).isEqualTo("profiles");
    assertThat(btp.at("/spec/rateLimit/local/rules")).isNotEmpty();
    assertThat(objects.get(3).at("/spec/authorization").toString()).contains("203.0.113.7/32");
    assertThat(json.path("notEnforceable").toString()).contains("waf");
  }

  @Test
  void traefikMiddleware() {
    CliRun.Result r = CliRun.run("render", EXAMPLE, "--level", "normal", "--provider", "Traefik");
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).contains("kind: Middleware").contains("name: storefront-ratelimit")
        .contains("shop-storefront-ratelimit@kubernetescrd");
  }

  @Test
  void aBadBanIsAFailedCheckWithItsLine() throws IOException {
    Path bans = write("bans.txt", "203.0.113.7\nexample.com\n");
    CliRun.Result r = CliRun.run("render", EXAMPLE, "--level", "severe", "--bans", bans.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains(bans + ":2: error: \"example.com\" is not an IPv4/IPv6 address or CIDR");
  }

  @Test
  void anInvalidPolicyIsNotRendered() throws IOException {
    Path p = write("p.yaml", Files.readString(ValidateCommandTest.EXAMPLE).replace("cidrs: [10.0.0.0/8,",
        "cidrs: [10.0.0.0/33,"));
    CliRun.Result r = CliRun.run("render", p.toString(), "--level", "normal");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains(p + ":").contains("spec.allowlist.cidrs[0]");
  }

  @Test
  void badUsage() {
    CliRun.Result level = CliRun.run("render", EXAMPLE, "--level", "panic");
    assertThat(level.code()).isEqualTo(2);
    assertThat(level.err()).contains("no level panic (levels: normal, elevated, severe)");
    assertThat(CliRun.run("render", EXAMPLE).code()).isEqualTo(2);
    assertThat(CliRun.run("render", EXAMPLE, "--level", "normal", "--provider", "Nginx").code()).isEqualTo(2);
  }

  @Test
  void helpShowsAnExample() {
    assertThat(CliRun.run("render", "--help").out()).contains("Example:  antiscraping-operator render");
  }
}
