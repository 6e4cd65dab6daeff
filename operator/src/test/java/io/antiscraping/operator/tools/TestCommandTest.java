package io.antiscraping.operator.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped example tests pass through the command; a wrong expectation fails with exit 1 and says why. */
class TestCommandTest {

  static final Path TESTS = Path.of("../examples/tests");
  static final String POLICY = ValidateCommandTest.EXAMPLE.toAbsolutePath().normalize().toString();
  /** The folder the example policy is in: test files elsewhere may name it only with this option. */
  static final String ROOT = "--policy-root=" + ValidateCommandTest.EXAMPLE.toAbsolutePath().normalize().getParent();

  @TempDir
  Path dir;

  Path write(String text) throws IOException {
    Path p = dir.resolve("t.yaml");
    Files.writeString(p, text);
    return p;
  }

  static String burst(String asserts) {
    return "policy: " + POLICY + "\n"
        + "tests:\n"
        + "  - name: burst\n"
        + "    series:\n"
        + "      profile-reads: 3x3 45x36 3x100\n"
        + "      comment-reads: 1x140\n"
        + "      client-rate:\n"
        + "        203.0.113.7: 0x3 40x36 0x100\n"
        + "    asserts:\n"
        + asserts;
  }

  @Test
  void theShippedExampleTestsPass() throws IOException {
    CliRun.Result r = CliRun.run("test", "--policy-root", "../examples", TESTS.toString());
    assertThat(r.code()).as(r.all()).isZero();
    for (String name : new String[] {"quiet-day", "burst", "distributed-crawl", "prometheus-outage",
        "allowlisted-bot"}) {
      assertThat(r.out()).contains(TESTS.resolve(name + ".yaml") + ": PASS");
    }
    assertThat(r.out()).contains("5 tests, 0 failed");
    try (var files = Files.list(TESTS)) {
      assertThat(files.filter(f -> f.toString().endsWith(".yaml"))).hasSize(5);
    }
  }

  @Test
  void aWrongLevelFailsWithTheLineTheTimeAndTheSignalValues() throws IOException {
    Path t = write(burst("      - at: 2m\n        level: severe\n"));
    CliRun.Result r = CliRun.run("test", ROOT, t.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains(t + ":11: FAILED: test \"burst\" at 2m: level: expected severe, got elevated "
        + "(at this evaluation profile-reads=45, comment-reads=1, client-rate: 1 client series)")
        .contains(t + ": FAIL (1 test, 1 assertions)").contains("1 test, 1 failed");
  }

  @Test
  void wrongBansRenderedValuesAndConditionsAreEachNamed() throws IOException {
    Path t = write(burst("""
              - at: 90s
                banned: [203.0.113.8]
                prefixes: [203.0.113.0/24]
                notBanned: [203.0.113.4/30]
                rendered:
                  IngressNginx: {limit-rps: "10", enable-owasp-core-rules: "true"}
                conditions:
                  Ready: "False"
                  MetricsAvailable: {status: "True", reason: SignalsMissing}
        """));
    CliRun.Result r = CliRun.run("test", ROOT, t.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains(t + ":11: FAILED: test \"burst\" at 90s: banned: expected [203.0.113.8/32], got [203.0.113.7/32]; "
            + "missing [203.0.113.8/32]; unexpected [203.0.113.7/32]")
        .contains(t + ":12: FAILED: test \"burst\" at 90s: prefixes: expected [203.0.113.0/24], got []")
        .contains(t + ":13: FAILED: test \"burst\" at 90s: notBanned[0]: 203.0.113.4/30 is covered by the ban "
            + "203.0.113.7/32")
        .contains(t + ":15: FAILED: test \"burst\" at 90s: rendered.IngressNginx.limit-rps: expected \"10\", got \"20\"")
        .contains("rendered.IngressNginx.enable-owasp-core-rules: expected \"true\", got no annotation")
        .contains(t + ":17: FAILED: test \"burst\" at 90s: conditions.Ready: expected status False, got True (Enforced:")
        .contains(t + ":18: FAILED: test \"burst\" at 90s: conditions.MetricsAvailable: expected reason SignalsMissing,"
            + " got True (SignalsEvaluated:");
  }

  @Test
  void testsReadFromStdin() {
    CliRun.Result r = CliRun.withStdin(burst("      - at: 2m\n        level: elevated\n"), "test", ROOT, "-");
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).contains("<stdin>: PASS (1 test, 1 assertions)");
  }

  @Test
  void jsonOutput() throws IOException {
    Path t = write(burst("      - at: 2m\n        level: normal\n"));
    CliRun.Result r = CliRun.run("test", ROOT, "-o", "json", t.toString());
    assertThat(r.code()).isEqualTo(1);
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.path("passed").asBoolean()).isFalse();
    JsonNode f = json.at("/files/0/tests/0/failures/0");
    assertThat(f.path("line").asInt()).isEqualTo(11);
    assertThat(f.path("at").asText()).isEqualTo("2m");
    assertThat(f.path("field").asText()).isEqualTo("level");
    assertThat(f.path("message").asText()).startsWith("expected normal, got elevated");
  }

  @Test
  void aBrokenTestFileIsAFailureWithItsLine() throws IOException {
    Path bad = write(burst("      - at: 2m\n        level: elevated\n").replace("3x3 45x36", "3x3 lots"));
    CliRun.Result r = CliRun.run("test", ROOT, bad.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains(bad + ":5: FAILED: test \"burst\": \"lots\" is not a number");
    Path odd = write(burst("      - at: 20s\n        level: elevated\n"));
    assertThat(CliRun.run("test", ROOT, odd.toString()).err())
        .contains(odd + ":10: FAILED: test \"burst\": at: 20s is not a multiple of the evaluation interval 15s");
    Path unknown = write(burst("      - at: 2m\n        level: elevated\n").replace("comment-reads:", "comments:"));
    assertThat(CliRun.run("test", ROOT, unknown.toString()).err()).contains(unknown + ":6: FAILED: test \"burst\": the "
        + "policy has no signal comments");
  }

  @Test
  void badUsage() {
    assertThat(CliRun.run("test").code()).isEqualTo(2);
    assertThat(CliRun.run("test", dir.resolve("none.yaml").toString()).code()).isEqualTo(2);
  }

  @Test
  void helpShowsAnExample() {
    assertThat(CliRun.run("test", "--help").out()).contains("Example:  antiscraping-operator test --policy-root examples examples/tests/");
  }

  /**
   * Security finding S5: a test file's {@code policy:} read any file the command could (an absolute path, ../..).
   * It names a file under the test file's folder, or under --policy-root; a symbolic link does not leave it either.
   */
  @Test
  void aPolicyOutsideTheTestFilesFolderIsRefusedUnlessThePolicyRootAllowsIt() throws IOException {
    Files.copy(ValidateCommandTest.EXAMPLE, dir.resolve("storefront-policy.yaml"));
    Path tests = Files.createDirectories(dir.resolve("tests"));
    Path t = tests.resolve("t.yaml");
    Files.writeString(t, burst("      - at: 2m\n        level: elevated\n")
        .replace("policy: " + POLICY, "policy: ../storefront-policy.yaml"));

    CliRun.Result r = CliRun.run("test", t.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains(t + ":1: FAILED: test \"\": policy: ../storefront-policy.yaml is outside " + tests
        + ": a test file names a policy file in its own folder or below it (run the command with --policy-root DIR");
    CliRun.Result allowed = CliRun.run("test", "--policy-root", dir.toString(), t.toString());
    assertThat(allowed.code()).as(allowed.all()).isZero();

    for (String outside : new String[] {"/etc/passwd", "../../../../../../../../etc/passwd", POLICY}) {
      Files.writeString(t, burst("      - at: 2m\n        level: elevated\n")
          .replace("policy: " + POLICY, "policy: " + outside));
      assertThat(CliRun.run("test", t.toString()).err()).as(outside).contains("policy: " + outside + " is outside");
    }
    Path link = tests.resolve("link.yaml");
    Files.createSymbolicLink(link, dir.resolve("storefront-policy.yaml"));
    Files.writeString(t, burst("      - at: 2m\n        level: elevated\n").replace("policy: " + POLICY, "policy: link.yaml"));
    assertThat(CliRun.run("test", t.toString()).err()).contains("policy: link.yaml is outside");
    Files.copy(ValidateCommandTest.EXAMPLE, tests.resolve("inside.yaml"));
    Files.writeString(t, burst("      - at: 2m\n        level: elevated\n").replace("policy: " + POLICY, "policy: inside.yaml"));
    assertThat(CliRun.run("test", t.toString()).code()).isZero();
  }

  /** Security finding S5: a long {@code at} at a 1 ms interval overflowed the step count (and ran nothing). */
  @Test
  void anAtTooManyEvaluationsAwayIsAnErrorNotAnOverflow() throws IOException {
    // 2^31 ms: as an int step count, Integer.MIN_VALUE
    Path t = write(burst("      - at: 596h31m23s648ms\n        level: elevated\n")
        .replace("tests:\n", "evaluationInterval: 1ms\ntests:\n"));
    CliRun.Result r = CliRun.run("test", ROOT, t.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains(t + ":11: FAILED: test \"burst\": at: 596h31m23s648ms is 2147483648 evaluations after "
        + "the first at the interval 1ms: a test runs at most 100000");
  }

  /** Security finding S5: the samples of all a test's series together are bounded too (many clients). */
  @Test
  void aTestWithTooManySamplesIsAnError() throws IOException {
    StringBuilder clients = new StringBuilder();
    for (int i = 0; i < 11; i++) {
      clients.append("        198.51.100.").append(i).append(": 1x99999\n");
    }
    Path t = write(burst("      - at: 2m\n        level: elevated\n")
        .replace("        203.0.113.7: 0x3 40x36 0x100\n", clients.toString()));
    CliRun.Result r = CliRun.run("test", ROOT, t.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("the series of a test hold at most 1000000 samples together");
  }
}
