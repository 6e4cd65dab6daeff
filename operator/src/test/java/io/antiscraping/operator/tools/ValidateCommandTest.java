package io.antiscraping.operator.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {

  static final Path EXAMPLE = Path.of("../examples/storefront-policy.yaml");

  static final String MINIMAL = """
      apiVersion: antiscraping.io/v1alpha1
      kind: ScrapingPolicy
      metadata:
        name: shop
        namespace: web
      spec:
        targets:
          selector: {matchLabels: {app: shop}}
        signals:
          - name: reads
            query: sum(rate(reads_total[1m]))
        levels:
          - name: normal
            rateLimit: {requestsPerSecond: 20}
          - name: elevated
            when: [{signal: reads, above: 100, for: 1m}]
            rateLimit: {requestsPerSecond: 5}
      """;

  @TempDir
  Path dir;

  Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void theShippedExampleIsValid() {
    CliRun.Result r = CliRun.run("validate", EXAMPLE.toString());
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).contains("storefront-policy.yaml:8: ScrapingPolicy shop/storefront is valid")
        .contains("1 policy checked, 0 invalid, 0 warnings");
  }

  @Test
  void anUnknownFieldIsRejectedWithFileLineAndFieldPath() throws IOException {
    Path f = write("p.yaml", MINIMAL.replace("rateLimit: {requestsPerSecond: 5}",
        "rateLimit: {requestsPerSecond: 5}\n      rateLimt: {requestsPerSecond: 5}"));
    CliRun.Result r = CliRun.run("validate", f.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains(f + ":18: error: spec.levels[1].rateLimt: unknown field \"rateLimt\"")
        .contains("1 policy checked, 1 invalid");
  }

  @Test
  void aCelRuleViolationNamesTheRuleMessage() throws IOException {
    Path f = write("p.yaml", MINIMAL.replace("- name: elevated", "- name: normal"));
    CliRun.Result r = CliRun.run("validate", f.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains(f + ":6: error: spec: Invalid value: level names must be unique within spec.levels");
  }

  @Test
  void aSchemaTypeErrorPointsAtTheValue() throws IOException {
    Path f = write("p.yaml", MINIMAL.replace("requestsPerSecond: 5}", "requestsPerSecond: fast}"));
    CliRun.Result r = CliRun.run("validate", f.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains(f + ":17: error: spec.levels[1].rateLimit.requestsPerSecond: string found, integer expected");
  }

  @Test
  void theOperatorsValidatorRunsAfterTheSchema() throws IOException {
    Path f = write("p.yaml", MINIMAL + "  allowlist:\n    cidrs:\n      - 10.0.0.0/8\n      - 10.0.0.300/32\n");
    CliRun.Result r = CliRun.run("validate", f.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains(f + ":21: error: spec.allowlist.cidrs[1]: \"10.0.0.300/32\" is not an IPv4/IPv6 "
        + "address or CIDR");
  }

  @Test
  void otherKindsAreSkippedWithANoteInMultiDocumentYaml() throws IOException {
    Path f = write("all.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n---\n" + MINIMAL
        + "---\n" + MINIMAL.replace("name: shop", "name: second"));
    CliRun.Result r = CliRun.run("validate", f.toString());
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).contains(f + ":1: note: skipped: Service web is not a ScrapingPolicy")
        .contains(f + ":5: ScrapingPolicy web/shop is valid")
        .contains(f + ":23: ScrapingPolicy web/second is valid")
        .contains("2 policies checked, 0 invalid");
  }

  @Test
  void readsStdinAndDirectories() throws IOException {
    write("a.yaml", MINIMAL);
    write("b.yml", MINIMAL.replace("name: shop", "name: b"));
    write("notes.txt", "not yaml: [");
    CliRun.Result r = CliRun.withStdin(MINIMAL.replace("name: shop", "name: piped"), "validate", "-", dir.toString());
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).contains("<stdin>:1: ScrapingPolicy web/piped is valid")
        .contains("a.yaml:1: ScrapingPolicy web/shop is valid").contains("b.yml:1: ScrapingPolicy web/b is valid")
        .contains("3 policies checked");
  }

  @Test
  void jsonOutputForMachines() throws IOException {
    Path f = write("p.yaml", MINIMAL.replace("for: 1m", "for: soon"));
    CliRun.Result r = CliRun.run("validate", "-o", "json", f.toString());
    assertThat(r.code()).isEqualTo(1);
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.path("valid").asBoolean()).isFalse();
    JsonNode finding = json.path("documents").get(0).path("findings").get(0);
    assertThat(finding.path("severity").asText()).isEqualTo("error");
    assertThat(finding.path("file").asText()).isEqualTo(f.toString());
    assertThat(finding.path("line").asInt()).isEqualTo(16);
    assertThat(finding.path("path").asText()).isEqualTo("spec.levels[1].when[0].for");
    assertThat(finding.path("message").asText()).isNotEmpty();
  }

  @Test
  void brokenYamlFailsWithItsLine() throws IOException {
    Path f = write("p.yaml", MINIMAL.replace("rateLimit: {requestsPerSecond: 5}", "rateLimit: {requestsPerSecond: 5"));
    CliRun.Result r = CliRun.run("validate", f.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains(f + ":").contains("error: not valid YAML");
  }

  @Test
  void badUsageExitsWith2() {
    assertThat(CliRun.run("validate", dir.resolve("missing.yaml").toString()).code()).isEqualTo(2);
    assertThat(CliRun.run("validate").code()).isEqualTo(2);
    CliRun.Result r = CliRun.run("validate", "-o", "xml", EXAMPLE.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("-o: expected text or json");
  }

  @Test
  void strictWarnsOnRiskyChoicesButStillPasses() throws IOException {
    Path f = write("p.yaml", """
        apiVersion: antiscraping.io/v1alpha1
        kind: ScrapingPolicy
        metadata: {name: risky, namespace: web}
        spec:
          targets:
            selector: {matchLabels: {app: shop}}
          signals:
            - name: reads
              query: sum(rate(reads_total[1m]))
            - name: client-rate
              query: rate(requests_total[1m])
              perClient: {label: client}
          levels:
            - name: normal
            - name: severe
              when: [{signal: reads, above: 100, for: 1m}]
              waf: {mode: Blocking, coreRuleSet: true}
          offenders:
            signal: client-rate
            above: 10
            ipv4PrefixLength: 16
            ipv6PrefixLength: 40
          cooldown: 0s
        """);
    CliRun.Result plain = CliRun.run("validate", f.toString());
    assertThat(plain.code()).as(plain.all()).isZero();
    assertThat(plain.out()).doesNotContain("warning:");
    CliRun.Result r = CliRun.run("validate", "--strict", f.toString());
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out())
        .contains(f + ":23: warning: spec.cooldown: is 0")
        .contains(f + ":18: warning: spec.offenders: has no `for`")
        .contains(f + ":21: warning: spec.offenders.ipv4PrefixLength: /16 is broader than /24")
        .contains(f + ":22: warning: spec.offenders.ipv6PrefixLength: /40 is broader than /48")
        .contains(f + ":17: warning: spec.levels[1].waf: mode Blocking needs the modsecurity-snippet annotation")
        .contains(f + ":11: warning: spec.signals[1].query: per-client signal without \"by (\"")
        .contains("6 warnings");
    assertThat(CliRun.run("validate", "--strict", "--fail-on-warnings", f.toString()).code()).isEqualTo(1);
    assertThat(CliRun.run("validate", "--strict", "--allow-snippet-annotations", f.toString()).out())
        .doesNotContain("waf: mode Blocking").contains("5 warnings");
  }

  @Test
  void helpShowsAnExample() {
    CliRun.Result r = CliRun.run("validate", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Example:").contains("antiscraping-operator validate");
  }
}
