package io.antiscraping.operator.enforcement.traefik;

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
 * Golden files: policy, level and bans in, the Middleware out ({@code src/test/resources/golden/traefik/<case>.yaml}),
 * validated against the upstream Traefik v3.7.9 CRD. Regenerate with {@code -Dgolden.update=true} and review.
 */
class TraefikMiddlewareTest {

  static final Path GOLDEN = Path.of("src/test/resources/golden/traefik");
  static final CrdSchema MIDDLEWARE = CrdSchema.lenient(
      io.antiscraping.operator.enforcement.UpstreamCrds.MIDDLEWARES, "v1alpha1");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE).disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
  static final PolicyRef POLICY = new PolicyRef("shop", "storefront", "0b5e8a4e-6f1c-4a8e-9d39-3a1d2c7e9f10",
      Instant.parse("2026-03-01T00:00:00Z"), new Selector(), false);

  static Stream<Arguments> cases() {
    RateLimits rps = new RateLimits(OptionalInt.of(50), OptionalInt.empty(), OptionalInt.of(5), OptionalInt.empty());
    RateLimits rpm = new RateLimits(OptionalInt.empty(), OptionalInt.of(300), OptionalInt.empty(), OptionalInt.empty());
    RateLimits both = new RateLimits(OptionalInt.of(20), OptionalInt.of(600), OptionalInt.empty(), OptionalInt.of(40));
    return Stream.of(
        Arguments.of("rps-with-burst", new EnforcementPlan("normal", rps, WafSettings.DISABLED, List.of(), List.of())),
        Arguments.of("rpm", new EnforcementPlan("elevated", rpm, WafSettings.DISABLED, List.of(), List.of())),
        Arguments.of("no-limit-is-neutral", new EnforcementPlan("normal", RateLimits.NONE, WafSettings.DISABLED,
            cidrs("10.0.0.0/8"), List.of())),
        Arguments.of("not-enforceable-parts", new EnforcementPlan("severe", both,
            new WafSettings(Waf.Mode.DETECTION_ONLY, false, OptionalInt.empty()), cidrs("10.0.0.0/8"),
            cidrs("203.0.113.9", "2001:db9:1::/64"), List.of("(?i)sqlmap"))),
        Arguments.of("route-budget-shared", new EnforcementPlan("elevated", rps, WafSettings.DISABLED,
            cidrs("10.0.0.0/8"), List.of(), List.of(), new EnforcementPlan.RouteBudget(200, OptionalInt.of(6)),
            cidrs("192.0.2.55"))),
        Arguments.of("lockdown-not-enforceable", new EnforcementPlan("severe", rps, WafSettings.DISABLED,
            List.of(), List.of(), List.of(), new EnforcementPlan.RouteBudget(0, OptionalInt.empty()), List.of())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void planRendersToTheGoldenMiddlewareAndItValidatesUpstream(String name, EnforcementPlan plan) throws IOException {
    TraefikMiddleware.Rendered r = TraefikMiddleware.render(plan);
    JsonNode object = OwnedObjectWriter.JSON.valueToTree(OwnedObjectWriter.object(TraefikMiddleware.MIDDLEWARE,
        POLICY, TraefikMiddleware.name(POLICY.name()), r.spec()));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("object", object);
    out.put("notEnforceable", r.notEnforceable());
    String actual = YAML.writeValueAsString(out);
    Path file = GOLDEN.resolve(name + ".yaml");
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(file, actual);
    }
    assertThat(file).as("golden file missing: run with -Dgolden.update=true and review it").exists();
    assertThat(actual).isEqualTo(Files.readString(file));
    assertThat(validate(object)).as(name).isEmpty();
  }

  /**
   * Issue S: keyed on {@code requestHost}, {@code SHOP.example.com} and {@code shop.example.com:443} reach the same
   * router with a bucket each, so a client multiplies the budget by spelling the host differently. The key must be a
   * header Traefik itself sets on every request before routing, whatever the client sent.
   */
  @Test
  void theRouteBudgetKeysOnAHeaderTraefikSetsNotOnTheHostAsTheClientSpellsIt() {
    RateLimits rps = new RateLimits(OptionalInt.of(50), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());
    EnforcementPlan plan = new EnforcementPlan("elevated", rps, WafSettings.DISABLED, List.of(), List.of(), List.of(),
        new EnforcementPlan.RouteBudget(200, OptionalInt.empty()), List.of());
    JsonNode criterion = TraefikMiddleware.render(plan).spec().at("/rateLimit/sourceCriterion");
    assertThat(criterion.has("requestHost")).as("the host as sent is no shared key").isFalse();
    assertThat(criterion.has("ipStrategy")).isFalse();
    assertThat(criterion.path("requestHeaderName").asText())
        .as("set by every Traefik entry point to its own hostname, over whatever the client sent")
        .isEqualTo("X-Forwarded-Server");
    assertThat(TraefikEnforcer.describe(TraefikMiddleware.render(plan).spec()))
        .isEqualTo("200 requests per 1s for everyone, per Traefik replica (route budget), burst 200");
  }

  @Test
  void theNeutralMiddlewareValidatesAndTheReferenceNameFollowsTraefiksConvention() {
    JsonNode neutral = OwnedObjectWriter.JSON.valueToTree(OwnedObjectWriter.object(TraefikMiddleware.MIDDLEWARE,
        POLICY, "x", TraefikMiddleware.neutral()));
    assertThat(validate(neutral)).isEmpty();
    assertThat(TraefikMiddleware.reference("shop", "storefront")).isEqualTo("shop-storefront-ratelimit@kubernetescrd");
    JsonNode wrong = OwnedObjectWriter.JSON.valueToTree(OwnedObjectWriter.object(TraefikMiddleware.MIDDLEWARE,
        POLICY, "x", OwnedObjectWriter.JSON.createObjectNode().put("rateLimit", "fast")));
    assertThat(validate(wrong)).as("the schema check can fail").isNotEmpty();
  }

  /**
   * The upstream schema lists metadata as required at its root, and the validator checks the object without its
   * metadata (as the API server does, which validates metadata separately): that one message is not about us.
   */
  static List<String> validate(JsonNode object) {
    assertThat(object.at("/metadata/name").asText()).isNotEmpty();
    return MIDDLEWARE.validate(object).stream().map(Object::toString).toList();
  }

  private static List<Cidr> cidrs(String... s) {
    return Stream.of(s).map(x -> Cidr.parse(x).orElseThrow()).toList();
  }
}
