package io.antiscraping.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.antiscraping.api.schema.CrdSchema;
import io.antiscraping.api.v1alpha1.Offenders;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a policy that says nothing about IPv6 does with IPv6 clients (docs/data-planes/README.md, "IPv6 clients"):
 * its bans take the client's /64, so an address rotated inside that subnet after the ban is banned too.
 */
class Ipv6BanDefaultsTest {

  static final Path CRD = Path.of("../crds/scrapingpolicies.antiscraping.io-v1.yml");

  /**
   * Issue S: a subscriber holds a /64. Unless the ban takes the whole /64 by default, each fresh address of it
   * starts clean. The default comes from the CRD (which the API server applies) and from the model (which a policy
   * file read by the tools gets): both are 64, and the engine bans the /64.
   */
  @Test
  void anIpv6OffenderIsBannedWithItsSlash64ByDefaultSoRotatingInsideItGetsNowhere() throws Exception {
    JsonNode schema = CrdSchema.read(CRD).at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties"
        + "/offenders/properties/ipv6PrefixLength");
    assertThat(schema.path("default").asInt()).as("the CRD's default").isEqualTo(64);
    Offenders parsed = new ObjectMapper().readValue("{\"signal\":\"clients\",\"above\":20,\"for\":\"1m\"}",
        Offenders.class);
    assertThat(parsed.getIpv6PrefixLength()).as("the model's default").isEqualTo(64);

    ScrapingPolicySpec spec = Policies.ladder().toBuilder().offenders(parsed).build();
    Run run = new Run(spec);
    run.at(0, Run.clients(Map.of("2001:db8:1:2::5", 100.0)));
    Decision banned = run.at(60, Run.clients(Map.of("2001:db8:1:2::5", 100.0)));
    assertThat(banned.plan().bans()).extracting(Cidr::toString).containsExactly("2001:db8:1:2::/64");
    Cidr ban = banned.plan().bans().get(0);
    for (String rotated : List.of("2001:db8:1:2::6", "2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:db8:1:2:a::9")) {
      assertThat(ban.contains(Cidr.parse(rotated).orElseThrow())).as(rotated).isTrue();
    }
    assertThat(ban.contains(Cidr.parse("2001:db8:1:3::5").orElseThrow())).as("the next subnet is someone else")
        .isFalse();

    Decision later = run.at(120, Run.clients(Map.of("2001:db8:1:2:a::9", 100.0)));
    assertThat(later.plan().bans()).as("a rotated address adds nothing: it is already banned")
        .extracting(Cidr::toString).containsExactly("2001:db8:1:2::/64");
  }
}
