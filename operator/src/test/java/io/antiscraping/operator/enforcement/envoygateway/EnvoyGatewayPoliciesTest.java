package io.antiscraping.operator.enforcement.envoygateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.antiscraping.api.schema.CrdSchema;
import io.antiscraping.api.v1alpha1.Selector;
import io.antiscraping.api.v1alpha1.Waf;
import io.antiscraping.operator.decision.Cidr;
import io.antiscraping.operator.decision.EnforcementPlan;
import io.antiscraping.operator.decision.EnforcementPlan.RateLimits;
import io.antiscraping.operator.decision.EnforcementPlan.WafSettings;
import io.antiscraping.operator.enforcement.OwnedObjectWriter;
import io.antiscraping.operator.enforcement.PolicyRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: policy, level and bans in, the BackendTrafficPolicy and SecurityPolicy out
 * ({@code src/test/resources/golden/envoygateway/<case>.yaml}); every object validates against the upstream
 * Envoy Gateway v1.9.0 CRDs. Regenerate with {@code -Dgolden.update=true} and review the diff.
 */
class EnvoyGatewayPoliciesTest {

  static final Path GOLDEN = Path.of("src/test/resources/golden/envoygateway");
  static final Path UPSTREAM = io.antiscraping.operator.enforcement.UpstreamCrds.DIR.resolve("envoy-gateway-v1.9.0");
  static final CrdSchema BTP = CrdSchema.lenient(
      UPSTREAM.resolve("gateway.envoyproxy.io_backendtrafficpolicies.yaml"), "v1alpha1");
  static final CrdSchema SP = CrdSchema.lenient(
      UPSTREAM.resolve("gateway.envoyproxy.io_securitypolicies.yaml"), "v1alpha1");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE).disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
  static final PolicyRef POLICY = new PolicyRef("shop", "storefront", "0b5e8a4e-6f1c-4a8e-9d39-3a1d2c7e9f10",
      Instant.parse("2026-03-01T00:00:00Z"), new Selector(), false);
  static final List<String> ROUTES = List.of("web", "checkout");

  static Stream<Arguments> cases() {
    RateLimits rps = new RateLimits(OptionalInt.of(50), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());
    RateLimits rpm = new RateLimits(OptionalInt.empty(), OptionalInt.of(300), OptionalInt.empty(), OptionalInt.empty());
    RateLimits everything = new RateLimits(OptionalInt.of(50), OptionalInt.of(600), OptionalInt.of(5), OptionalInt.of(40));
    List<Cidr> bans = cidrs("203.0.113.9", "198.51.100.0/24", "2001:db9:1::/64");
    return Stream.of(
        Arguments.of("baseline-rps-allowlist-exempt", new EnforcementPlan("normal", rps, WafSettings.DISABLED,
            cidrs("10.0.0.0/8"), List.of())),
        Arguments.of("rps-no-allowlist", new EnforcementPlan("normal", rps, WafSettings.DISABLED, List.of(),
            List.of())),
        Arguments.of("bans-and-user-agents", new EnforcementPlan("elevated", rpm, WafSettings.DISABLED,
            cidrs("10.0.0.0/8", "192.0.2.7"), bans,
            List.of("(?i)(sqlmap|nikto)", "^$", "it's \"quoted\" \\d+ \t tab"))),
        Arguments.of("allowlist-too-large-to-exempt", new EnforcementPlan("normal", rps, WafSettings.DISABLED,
            cidrs("10.0.0.0/8", "192.0.2.7", "2001:db8::/32"), List.of())),
        Arguments.of("not-enforceable-parts", new EnforcementPlan("severe", everything,
            new WafSettings(Waf.Mode.BLOCKING, true, OptionalInt.of(2)), List.of(), bans)),
        Arguments.of("nothing-to-write", new EnforcementPlan("normal", RateLimits.NONE, WafSettings.DISABLED,
            cidrs("10.0.0.0/8"), List.of())),
        Arguments.of("route-budget-shared", new EnforcementPlan("elevated", rps, WafSettings.DISABLED,
            cidrs("10.0.0.0/8"), List.of(), List.of(), new EnforcementPlan.RouteBudget(200, OptionalInt.of(6)),
            cidrs("192.0.2.55"))),
        Arguments.of("lockdown", new EnforcementPlan("severe", RateLimits.NONE, WafSettings.DISABLED,
            cidrs("10.0.0.0/8"), bans, List.of(), new EnforcementPlan.RouteBudget(0, OptionalInt.empty()),
            cidrs("192.0.2.55", "2001:db8:5::1"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void planRendersToTheGoldenObjectsAndTheyValidateUpstream(String name, EnforcementPlan plan) throws IOException {
    EnvoyGatewayPolicies.Rendered r = EnvoyGatewayPolicies.render(plan);
    List<JsonNode> objects = new ArrayList<>();
    if (!r.rateLimitRules().isEmpty()) {
      objects.add(OwnedObjectWriter.JSON.valueToTree(OwnedObjectWriter.object(
          EnvoyGatewayPolicies.BACKEND_TRAFFIC_POLICY, POLICY, EnvoyGatewayPolicies.trafficPolicyName(POLICY.name()),
          EnvoyGatewayPolicies.trafficSpec(ROUTES, r.rateLimitRules()))));
    }
    if (r.authorization() != null) {
      objects.add(OwnedObjectWriter.JSON.valueToTree(OwnedObjectWriter.object(
          EnvoyGatewayPolicies.SECURITY_POLICY, POLICY, EnvoyGatewayPolicies.securityPolicyName(POLICY.name()),
          EnvoyGatewayPolicies.securitySpec(ROUTES, r.authorization()))));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("objects", objects);
    out.put("notEnforceable", r.notEnforceable());
    String actual = YAML.writeValueAsString(out);
    Path file = GOLDEN.resolve(name + ".yaml");
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(file, actual);
    }
    assertThat(file).as("golden file missing: run with -Dgolden.update=true and review it").exists();
    assertThat(actual).isEqualTo(Files.readString(file));

    for (JsonNode o : objects) {
      CrdSchema v = "BackendTrafficPolicy".equals(o.path("kind").asText()) ? BTP : SP;
      assertThat(v.validate(o)).as(name + ": " + o.path("kind").asText()).isEmpty();
    }
    assertThat(r.rateLimitRules()).hasSizeLessThanOrEqualTo(EnvoyGatewayPolicies.MAX_RULES);
    assertThat(r.rateLimitRules().stream().map(rule -> rule.path("clientSelectors").toString()).distinct())
        .as("no two rules with identical selectors (envoyproxy/gateway#8632)").hasSize(r.rateLimitRules().size());
  }

  @Test
  void theSchemaCheckCatchesAWrongObject() {
    JsonNode broken = OwnedObjectWriter.JSON.valueToTree(OwnedObjectWriter.object(
        EnvoyGatewayPolicies.BACKEND_TRAFFIC_POLICY, POLICY, "x", EnvoyGatewayPolicies.trafficSpec(ROUTES,
            List.of(OwnedObjectWriter.JSON.createObjectNode().put("limit", "fast")))));
    assertThat(BTP.validate(broken)).isNotEmpty();
  }

  /**
   * A rule without a client selector becomes the default bucket of Envoy's local rate limit filter, which Envoy
   * Gateway configures to count only requests that match no other rule (EnvoyGatewayTranslatorIT): next to the
   * per-client rules it would cap the allowlisted clients alone. The budget selects every request instead.
   */
  /** Security finding S3: the SecurityPolicy stays far below what etcd stores; bans over its budget are reported. */
  @Test
  void bansBeyondTheSecurityPolicysBudgetAreDroppedFromTheEndAndReported() {
    List<Cidr> bans = new java.util.ArrayList<>();
    for (int i = 0; i < 30_000; i++) {
      bans.add(Cidr.parse("2001:db8:" + Integer.toHexString(i) + "::/64").orElseThrow());
    }
    EnvoyGatewayPolicies.Rendered r = EnvoyGatewayPolicies.render(new EnforcementPlan("elevated", RateLimits.NONE,
        WafSettings.DISABLED, List.of(), bans));
    JsonNode denied = r.authorization().at("/rules/0/principal/clientCIDRs");
    assertThat(denied.size()).isGreaterThan(5_000).isLessThan(bans.size());
    assertThat(denied.get(0).asText()).isEqualTo(bans.get(0).toString());
    assertThat(r.authorization().toString().length()).isLessThan(EnvoyGatewayPolicies.MAX_BAN_BYTES + 4096);
    assertThat(r.notEnforceable()).anySatisfy(n -> assertThat(n)
        .startsWith((bans.size() - denied.size()) + " of 30000 bans (the SecurityPolicy's banned CIDRs may take"));
  }

  @Test
  void theRouteBudgetIsARuleEveryRequestMatchesNotASelectorlessOne() {
    RateLimits rps = new RateLimits(OptionalInt.of(50), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());
    for (RateLimits limits : List.of(rps, RateLimits.NONE)) {
      EnvoyGatewayPolicies.Rendered r = EnvoyGatewayPolicies.render(new EnforcementPlan("elevated", limits,
          WafSettings.DISABLED, cidrs("10.0.0.0/8"), List.of(), List.of(),
          new EnforcementPlan.RouteBudget(200, OptionalInt.empty()), List.of()));
      assertThat(r.rateLimitRules()).allSatisfy(rule -> assertThat(rule.path("clientSelectors")).isNotEmpty());
      assertThat(r.rateLimitRules().get(0).toString()).isEqualTo("{\"clientSelectors\":[{\"path\":{\"type\":"
          + "\"PathPrefix\",\"value\":\"/\"}}],\"limit\":{\"requests\":200,\"unit\":\"Second\"}}");
    }
  }

  @Test
  void allowlistedClientsMatchNoRuleAndEveryOtherClientExactlyOne() {
    List<Cidr> allow = cidrs("10.0.0.0/8", "2001:db8::/33");
    List<Cidr> v4 = AddressSpace.complement(AddressSpace.ALL_IPV4, allow, 64);
    List<Cidr> v6 = AddressSpace.complement(AddressSpace.ALL_IPV6, allow, 64);
    assertThat(v4).hasSize(8);
    assertThat(v6).hasSize(33);
    for (String client : List.of("10.1.2.3", "10.255.255.255", "9.255.255.255", "11.0.0.0", "0.0.0.0",
        "255.255.255.255", "192.0.2.1", "2001:db8::1", "2001:db8:7fff::1", "2001:db8:8000::1", "::1", "ffff::")) {
      Cidr c = Cidr.parse(client).orElseThrow();
      long covering = Stream.concat(v4.stream(), v6.stream()).filter(p -> p.contains(c)).count();
      boolean allowed = allow.stream().anyMatch(a -> a.contains(c));
      assertThat(covering).as(client).isEqualTo(allowed ? 0 : 1);
    }
    assertThat(AddressSpace.complement(AddressSpace.ALL_IPV4, cidrs("0.0.0.0/0"), 16)).isEmpty();
    assertThat(AddressSpace.complement(AddressSpace.ALL_IPV4, cidrs("192.0.2.7"), 16)).hasSize(17)
        .as("stops one past the limit");
  }

  private static List<Cidr> cidrs(String... s) {
    return Stream.of(s).map(x -> Cidr.parse(x).orElseThrow()).toList();
  }
}
