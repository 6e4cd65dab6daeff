package io.antiscraping.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Selector;
import io.antiscraping.api.v1alpha1.Targets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** spec.levels[].denyUserAgents: each entry must be a regular expression RE2 can run, reported with its path. */
class PolicyValidatorUserAgentsTest {

  @ParameterizedTest
  @ValueSource(strings = {"(?i)(sqlmap|nikto|python-requests)", "^$", "^curl/\\d+", "[a-z]+bot", "\\(\\?=x\\)",
      "[(?=]", "a\\+\\+", "x{2,3}"})
  void re2CompatibleExpressionsPass(String re) {
    assertThat(PolicyValidator.validate(spec(List.of(re)))).isEmpty();
  }

  @Test
  void eachProblemIsReportedWithItsFieldPath() {
    List<String> patterns = Arrays.asList("ok", "(unclosed", "foo(?=bar)", "(?<!x)y", "(a)\\1", "(?>a)", "a*+", "",
        null, "x".repeat(257));
    assertThat(PolicyValidator.validate(spec(patterns))).extracting(PolicyValidator.Violation::toString)
        .containsExactly(
            "spec.levels[0].denyUserAgents[1]: \"(unclosed\" is not a regular expression: Unclosed group near index 9",
            "spec.levels[0].denyUserAgents[2]: \"foo(?=bar)\" uses a lookahead, which RE2 does not support",
            "spec.levels[0].denyUserAgents[3]: \"(?<!x)y\" uses a lookbehind, which RE2 does not support",
            "spec.levels[0].denyUserAgents[4]: \"(a)\\\\1\" uses a backreference (\\1), which RE2 does not support",
            "spec.levels[0].denyUserAgents[5]: \"(?>a)\" uses an atomic group, which RE2 does not support",
            "spec.levels[0].denyUserAgents[6]: \"a*+\" uses a possessive quantifier, which RE2 does not support",
            "spec.levels[0].denyUserAgents[7]: must not be empty",
            "spec.levels[0].denyUserAgents[8]: must not be empty",
            "spec.levels[0].denyUserAgents[9]: at most 256 characters, was 257");
  }

  @Test
  void atMost32() {
    assertThat(PolicyValidator.validate(spec(new ArrayList<>(Collections.nCopies(33, "bot")))))
        .extracting(PolicyValidator.Violation::toString)
        .containsExactly("spec.levels[0].denyUserAgents: at most 32 entries, was 33");
  }

  private static ScrapingPolicySpec spec(List<String> patterns) {
    return ScrapingPolicySpec.builder()
        .targets(Targets.builder().provider(Targets.Provider.ENVOY_GATEWAY).selector(new Selector()).build())
        .levels(new ArrayList<>(List.of(Level.builder().name("normal").denyUserAgents(patterns).build())))
        .build();
  }
}
