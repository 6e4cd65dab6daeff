package io.antiscraping.operator.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code test --prometheus}: the example policy's own PromQL on input series backfilled into a real Prometheus
 * (promtool tsdb create-blocks-from openmetrics), queried by the operator's client at each evaluation time.
 */
class PrometheusModeIT {

  static final String POLICY = ValidateCommandTest.EXAMPLE.toAbsolutePath().normalize().toString();
  static final String ROOT = TestCommandTest.ROOT;

  @TempDir
  Path dir;

  static String test(String profileSeries, String asserts) {
    return "policy: " + POLICY + "\n"
        + "tests:\n"
        + "  - name: a crawler, through the real queries\n"
        + "    input_series:\n"
        + "      - series: '" + profileSeries + "'\n"
        + "        values: 0+675x40\n"                     // 45 records/s at 15 s a sample
        + "      - series: 'storefront_records_served_total{kind=\"comment\"}'\n"
        + "        values: 0+15x40\n"
        + "      - series: 'nginx_http_requests_by_client_total{client=\"203.0.113.7\",route=\"/api/users/{id}\"}'\n"
        + "        values: 0+600x40\n"                     // 40 requests/s
        + "      - series: 'nginx_http_requests_by_client_total{client=\"192.0.2.10\",route=\"/products/{id}\"}'\n"
        + "        values: 0+30x40\n"                      // a shopper on the catalogue: not a sensitive route
        + "    asserts:\n"
        + asserts;
  }

  @Test
  void thePoliciesQueriesDecideWithRealPrometheus() throws IOException {
    assertThat(PrometheusBackfill.unavailable()).isNull();
    Path t = dir.resolve("t.yaml");
    Files.writeString(t, test("storefront_records_served_total{kind=\"profile\"}", """
              - at: 0s                      # one sample: rate() has nothing yet
                level: normal
                conditions:
                  MetricsAvailable: {status: "False", reason: SignalsUnavailable, messageContains: profile-reads}
              - at: 30s
                banned: []
                conditions: {MetricsAvailable: "True"}
              - at: 45s                     # client-rate (rate over 1m) above 5/s since 15s
                banned: [203.0.113.7]
                notBanned: [192.0.2.10]
              - at: 2m                      # rate(...[2m]) ramps up while its window fills (45/s x t/2m):
                level: normal               # above 30/s from 90s on
              - at: 2m45s                   # ... for 1m
                level: elevated
        """));
    CliRun.Result r = CliRun.run("test", ROOT, "--prometheus", t.toString());
    assertThat(r.code()).as(r.all()).isZero();
    assertThat(r.out()).contains(t + ": PASS (1 test, 8 assertions)");
  }

  @Test
  void metricsTheQueriesDoNotMatchFailTheTest() throws IOException {
    Path t = dir.resolve("t.yaml");
    Files.writeString(t, test("storefront_records_served_total{kind=\"profiles\"}",
        "      - at: 90s\n        level: elevated\n"));
    CliRun.Result r = CliRun.run("test", ROOT, "--prometheus", t.toString());
    assertThat(r.code()).as(r.all()).isEqualTo(1);
    assertThat(r.err()).contains(t + ":15: FAILED: test \"a crawler, through the real queries\" at 90s: level: "
        + "expected elevated, got normal");
  }

  @Test
  void withoutInputSeriesTheModeSaysWhatItNeeds() throws IOException {
    Path t = dir.resolve("t.yaml");
    Files.writeString(t, "policy: " + POLICY + "\ntests:\n  - name: x\n    series: {profile-reads: 1x4}\n"
        + "    asserts: [{at: 0s, level: normal}]\n");
    CliRun.Result r = CliRun.run("test", ROOT, "--prometheus", t.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("--prometheus: give input_series");
  }
}
