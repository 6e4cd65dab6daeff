package io.antiscraping.operator.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffCommandTest {

  static final String EXAMPLE = ValidateCommandTest.EXAMPLE.toString();

  @TempDir
  Path dir;

  Path changed(String from, String to) throws IOException {
    String text = Files.readString(ValidateCommandTest.EXAMPLE);
    assertThat(text).contains(from);
    Path p = dir.resolve("new.yaml");
    Files.writeString(p, text.replace(from, to));
    return p;
  }

  @Test
  void aTighterLimitAndABlockingWafShowPerLevel() throws IOException {
    Path next = changed("rateLimit: {requestsPerSecond: 20, burstMultiplier: 5, connections: 40}\n"
            + "      waf: {mode: DetectionOnly}",
        "rateLimit: {requestsPerSecond: 10, burstMultiplier: 5, connections: 40}\n"
            + "      waf: {mode: DetectionOnly, coreRuleSet: true}");
    CliRun.Result r = CliRun.run("diff", EXAMPLE, next.toString());
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).contains("data plane: IngressNginx")
        .contains("level normal: changed\n  + enable-owasp-core-rules: true\n  ~ limit-rps: 20 -> 10\n")
        .contains("level elevated: unchanged").contains("level severe: unchanged");
    assertThat(CliRun.run("diff", "--exit-code", EXAMPLE, next.toString()).code()).isEqualTo(1);
    assertThat(CliRun.run("diff", "--exit-code", EXAMPLE, EXAMPLE).code()).isZero();
  }

  @Test
  void anAllowlistEntryLiftsTheBansInsideIt() throws IOException {
    Path bans = dir.resolve("bans.txt");
    Files.writeString(bans, "192.0.2.7\n203.0.113.9/32\n");
    Path next = changed("cidrs: [10.0.0.0/8, 66.249.64.0/19]", "cidrs: [10.0.0.0/8, 66.249.64.0/19, 192.0.2.0/24]");
    CliRun.Result r = CliRun.run("diff", EXAMPLE, next.toString(), "--bans", bans.toString());
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).contains("allowlist (never limited, never banned; bans inside an added entry are lifted):\n"
            + "  + 192.0.2.0/24")
        .contains("~ limit-allowlist: 10.0.0.0/8,66.249.64.0/19 -> 10.0.0.0/8,66.249.64.0/19,192.0.2.0/24")
        .contains("bans lifted (1 of the 2 in force):\n  192.0.2.7/32  (allowlisted: 192.0.2.0/24)");
  }

  @Test
  void aNarrowerPrefixLengthLiftsBroaderBans() throws IOException {
    Path bans = dir.resolve("bans.txt");
    Files.writeString(bans, "198.51.100.0/24\n203.0.113.9/32\n");
    Path next = changed("      ipv4PrefixLength: 24\n      ipv6PrefixLength: 48\n      above: 10",
        "      ipv4PrefixLength: 28\n      ipv6PrefixLength: 48\n      above: 10");
    CliRun.Result r = CliRun.run("diff", "-o", "json", EXAMPLE, next.toString(), "--bans", bans.toString());
    assertThat(r.code()).as(r.all()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.path("lifted").has("198.51.100.0/24")).as(r.out()).isTrue();
    assertThat(json.path("lifted").has("203.0.113.9/32")).isFalse();
    assertThat(json.path("banRules").toString()).contains("offenders.prefixes.ipv4PrefixLength: 24 -> 28");
    assertThat(json.path("differs").asBoolean()).isTrue();
  }

  @Test
  void envoyGatewayFieldsByObject() throws IOException {
    Path next = changed("rateLimit: {requestsPerSecond: 8, burstMultiplier: 3, connections: 20}",
        "rateLimit: {requestsPerSecond: 6, burstMultiplier: 3, connections: 20}");
    CliRun.Result r = CliRun.run("diff", "--provider", "EnvoyGateway", EXAMPLE, next.toString());
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).contains("level elevated: changed").contains("BackendTrafficPolicy storefront-ratelimit: "
        + "spec.rateLimit.local.rules[").contains("requests: 8 -> 6");
  }

  @Test
  void levelsAddedAndRemoved() throws IOException {
    Path next = changed("    - name: severe", "    - name: critical");
    CliRun.Result r = CliRun.run("diff", EXAMPLE, next.toString());
    assertThat(r.out()).contains("level severe: removed").contains("level critical: added");
  }

  @Test
  void invalidPolicyAndBadUsage() throws IOException {
    Path bad = changed("cidrs: [10.0.0.0/8,", "cidrs: [10.0.0.0/33,");
    CliRun.Result r = CliRun.run("diff", EXAMPLE, bad.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains(bad + ":").contains("spec.allowlist.cidrs[0]");
    assertThat(CliRun.run("diff", EXAMPLE).code()).isEqualTo(2);
    assertThat(CliRun.run("diff", EXAMPLE, dir.resolve("none.yaml").toString()).code()).isEqualTo(2);
  }

  @Test
  void helpShowsAnExample() {
    assertThat(CliRun.run("diff", "--help").out()).contains("Example:  git show main:policies/storefront.yaml");
  }
}
