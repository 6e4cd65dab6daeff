package io.antiscraping.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading a SelfSubjectRulesReview the way the API server's authorizer reads the rules it lists. */
class ProviderApisTest {

  static ResourceRule rule(List<String> groups, List<String> resources, List<String> verbs, List<String> names) {
    return new ResourceRuleBuilder().withApiGroups(groups).withResources(resources).withVerbs(verbs)
        .withResourceNames(names).build();
  }

  @Test
  void aRuleAllowsAVerbOnEveryObjectOfAResource() {
    List<ResourceRule> chart = List.of(
        rule(List.of("gateway.networking.k8s.io"), List.of("httproutes"), List.of("get", "list", "watch"), List.of()),
        rule(List.of("traefik.io"), List.of("middlewares"), List.of("get"), List.of("only-this-one")));
    assertThat(ProviderApis.allows(chart, "gateway.networking.k8s.io", "httproutes", "watch")).isTrue();
    assertThat(ProviderApis.allows(chart, "gateway.networking.k8s.io", "gateways", "watch")).isFalse();
    assertThat(ProviderApis.allows(chart, "gateway.envoyproxy.io", "httproutes", "list")).as("other group").isFalse();
    assertThat(ProviderApis.allows(chart, "traefik.io", "middlewares", "get"))
        .as("a rule limited to resourceNames does not allow listing").isFalse();
  }

  @Test
  void wildcardsAllowEverything() {
    List<ResourceRule> admin = List.of(rule(List.of("*"), List.of("*"), List.of("*"), List.of()));
    assertThat(ProviderApis.allows(admin, "traefik.io", "middlewares", "list")).isTrue();
    assertThat(ProviderApis.allows(List.of(), "traefik.io", "middlewares", "list")).isFalse();
  }
}
