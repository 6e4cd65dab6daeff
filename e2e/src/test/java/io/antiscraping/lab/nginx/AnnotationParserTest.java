package io.antiscraping.lab.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.lab.nginx.ControllerSettings.RiskLevel;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The controller's annotation parsing rules, as {@link AnnotationParser} models them. */
class AnnotationParserTest {

  static final ControllerSettings LAB = ControllerSettings.operatorRequirements(List.of("127.0.0.0/8"));

  static Ingress ingress(Map<String, String> annotations) {
    return new IngressBuilder().withNewMetadata().withName("storefront").withNamespace("shop")
        .withAnnotations(annotations).endMetadata().build();
  }

  static ParsedIngress.Annotations accepted(Map<String, String> annotations) {
    ParsedIngress p = AnnotationParser.parse(ingress(annotations), LAB);
    assertThat(p).isInstanceOf(ParsedIngress.Accepted.class);
    return ((ParsedIngress.Accepted) p).annotations();
  }

  @ParameterizedTest
  @ValueSource(strings = {"10r/s", " 10", "10 ", "1.5", "0x10", "ten", "١٠", "99999999999999999999"})
  void anIntegerLimitGoAtoiRejectsRefusesTheWholeIngress(String value) {
    ParsedIngress p = AnnotationParser.parse(ingress(Map.of(AnnotationParser.LIMIT_RPS, value)), LAB);
    assertThat(p).isInstanceOf(ParsedIngress.Refused.class);
    assertThat(((ParsedIngress.Refused) p).reason()).contains("limit-rps");
  }

  @ParameterizedTest
  @CsvSource({"+7,7", "007,7", "-3,-3", "0,0"})
  void integersAreReadAsGoAtoiReadsThem(String value, int expected) {
    assertThat(accepted(Map.of(AnnotationParser.LIMIT_RPM, value)).rpm()).isEqualTo(expected);
  }

  @Test
  void anEmptyIntegerCountsAsAbsentAndABadBurstMultiplierFallsBackToFive() {
    ParsedIngress.Annotations a = accepted(Map.of(AnnotationParser.LIMIT_RPS, "", AnnotationParser.LIMIT_RPM, "6",
        AnnotationParser.LIMIT_BURST_MULTIPLIER, "lots"));
    assertThat(a.rps()).isZero();
    assertThat(a.burstMultiplier()).isEqualTo(5);
  }

  @Test
  void cidrListsAreNormalisedDedupedAndSortedAsGoPrintsThem() {
    ParsedIngress.Annotations a = accepted(Map.of(AnnotationParser.DENYLIST,
        " 203.0.113.7 ,198.51.100.9/24,203.0.113.7/32,2001:DB8:0:0::1/64, ::ffff:192.0.2.1"));
    assertThat(a.denylist()).containsExactly("192.0.2.1", "198.51.100.0/24", "2001:db8::/64", "203.0.113.7",
        "203.0.113.7/32");
    assertThat(a.denied()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "203.0.113.7,", "203.0.113.07", "203.0.113.7/33", "example.com", "1.2.3.4/x"})
  void aBadSourceRangeDeniesTheLocationsInsteadOfRefusingTheIngress(String value) {
    assertThat(accepted(Map.of(AnnotationParser.DENYLIST, value)).denied()).contains("denylist-source-range");
    assertThat(accepted(Map.of(AnnotationParser.ALLOWLIST, value)).denied()).contains("allowlist-source-range");
    if (!value.isEmpty()) {
      assertThat(accepted(Map.of(AnnotationParser.WHITELIST, value)).denied()).contains("whitelist-source-range");
    }
  }

  @Test
  void anEmptyAliasIsNotReadAtAll() {
    // the controller reads whitelist-source-range only when its value is not empty; then the annotation is missing
    ParsedIngress.Annotations a = accepted(Map.of(AnnotationParser.WHITELIST, ""));
    assertThat(a.denied()).isNull();
    assertThat(a.allowlist()).isEmpty();
  }

  @Test
  void aBadLimitAllowlistRefusesTheIngress() {
    assertThat(AnnotationParser.parse(ingress(Map.of(AnnotationParser.LIMIT_RPS, "5",
        AnnotationParser.LIMIT_ALLOWLIST, "10.0.0.0/8,")), LAB)).isInstanceOf(ParsedIngress.Refused.class);
    // limit-whitelist is read only when limit-allowlist is empty
    assertThat(accepted(Map.of(AnnotationParser.LIMIT_RPS, "5", AnnotationParser.LIMIT_ALLOWLIST, "",
        AnnotationParser.LIMIT_WHITELIST, "10.0.0.1")).limitAllowlist()).containsExactly("10.0.0.1");
  }

  @ParameterizedTest
  @CsvSource({"true,true", "True,true", "TRUE,true", "t,true", "1,true", "tRuE,false", "yes,false", "' true',false"})
  void switchesAreGoParseBool(String value, boolean expected) {
    assertThat(accepted(Map.of(AnnotationParser.ENABLE_MODSECURITY, value)).modsecurity()).isEqualTo(expected);
  }

  @Test
  void snippetsAreGatedByRiskThenByAllowSnippetAnnotations() {
    Map<String, String> withSnippet = Map.of(AnnotationParser.ENABLE_MODSECURITY, "true",
        AnnotationParser.MODSECURITY_SNIPPET, "  SecRuleEngine On  \n");
    ControllerSettings defaults = ControllerSettings.controllerDefaults();
    assertThat(AnnotationParser.parse(ingress(withSnippet), defaults)).isInstanceOf(ParsedIngress.Refused.class);
    ParsedIngress dropped = AnnotationParser.parse(ingress(withSnippet),
        defaults.withSnippets(false, RiskLevel.CRITICAL));
    assertThat(((ParsedIngress.Accepted) dropped).annotations().snippet()).isNull();
    assertThat(((ParsedIngress.Accepted) dropped).annotations().droppedSnippet()).isTrue();
    assertThat(accepted(withSnippet).snippet()).isEqualTo("SecRuleEngine On\n");
    // a Medium-risk source range is refused below Medium
    assertThat(AnnotationParser.parse(ingress(Map.of(AnnotationParser.DENYLIST, "203.0.113.7")),
        defaults.withSnippets(false, RiskLevel.LOW))).isInstanceOf(ParsedIngress.Refused.class);
  }

  @Test
  void goAtoiRange() {
    assertThat(AnnotationParser.atoi("9223372036854775807")).contains(Long.MAX_VALUE);
    assertThat(AnnotationParser.atoi("9223372036854775808")).isEqualTo(Optional.empty());
    assertThat(AnnotationParser.atoi("-9223372036854775808")).contains(Long.MIN_VALUE);
    assertThat(AnnotationParser.atoi("-9223372036854775809")).isEqualTo(Optional.empty());
  }
}
