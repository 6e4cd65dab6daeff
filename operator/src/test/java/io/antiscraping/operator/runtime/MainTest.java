package io.antiscraping.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.antiscraping.operator.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

  record Result(int code, String out, String err) {
  }

  static Result run(String... args) {
    CommandLine cmd = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    int code = cmd.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void helpListsTheRunCommandAndItsFlags() {
    Result top = run("--help");
    assertThat(top.code()).isZero();
    assertThat(top.out()).contains("run").contains("ScrapingPolicy");
    Result help = run("run", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("--kubeconfig", "--namespace", "--prometheus-url", "--metrics-port",
        "--allow-snippet-annotations", "--[no-]leader-election", "--lease-name", "--lease-namespace",
        "http://prometheus-operated.monitoring:9090");
  }

  @Test
  void aBadFlagGivesOneLineAndExitCode2() {
    Result r = run("run", "--no-such-flag");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip().lines()).singleElement().asString()
        .contains("Unknown option: '--no-such-flag'").contains("see --help");
    Result port = run("run", "--metrics-port", "http");
    assertThat(port.code()).isEqualTo(2);
    assertThat(port.err().strip().lines()).hasSize(1);
  }

  @Test
  void flagsMapToSettings() {
    RunCommand run = new RunCommand();
    CommandLine cmd = new CommandLine(run);
    cmd.parseArgs("--namespace", "shop", "--namespace", "outlet", "--prometheus-url", "https://prom.example:9443",
        "--metrics-port", "9102", "--allow-snippet-annotations", "--no-leader-election", "--lease-name", "x",
        "--lease-namespace", "ops");
    OperatorSettings s = run.settings();
    assertThat(s.namespaces()).isEqualTo(Set.of("shop", "outlet"));
    assertThat(s.defaultPrometheusUrl()).isEqualTo(URI.create("https://prom.example:9443"));
    assertThat(s.metricsPort()).isEqualTo(9102);
    assertThat(s.allowSnippetAnnotations()).isTrue();
    assertThat(s.leaderElection()).isFalse();
    assertThat(s.leaseName()).isEqualTo("x");
    assertThat(s.leaseNamespace()).isEqualTo("ops");
  }

  @Test
  void securityFlagsMapToGuards() {
    RunCommand run = new RunCommand();
    new CommandLine(run).parseArgs("--prometheus-allowed-url", "https://thanos.monitoring.svc:10902",
        "--prometheus-allowed-url", "*.monitoring.svc", "--allow-bearer-token-over-http");
    Guards g = run.settings().guards();
    assertThat(g.prometheusAllowedUrls()).containsExactly("https://thanos.monitoring.svc:10902", "*.monitoring.svc");
    assertThat(g.bearerTokenOverHttp()).isTrue();

    RunCommand limits = new RunCommand();
    new CommandLine(limits).parseArgs("--min-evaluation-interval", "30s", "--namespace-concurrency", "2",
        "--namespace-query-budget", "120", "--never-ban", "10.244.0.0/16", "--never-ban", "fd00:10::/48",
        "--prometheus-tenant-parameter", "namespace");
    Guards l = limits.settings().guards();
    assertThat(l.minEvaluationInterval()).isEqualTo(java.time.Duration.ofSeconds(30));
    assertThat(l.namespaceConcurrency()).isEqualTo(2);
    assertThat(l.namespaceQueryBudget()).isEqualTo(120);
    assertThat(l.neverBanCidrs()).containsExactly("10.244.0.0/16", "fd00:10::/48");
    assertThat(l.tenantParameter()).isEqualTo("namespace");
    assertThat(Guards.defaults().tenantParameter()).isNull();
  }

  @Test
  void aMalformedNeverBanRangeIsRejectedWithExitCode2() {
    Result r = run("run", "--never-ban", "10.244.0.0/33", "--no-leader-election");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--never-ban: not an IP address or CIDR: 10.244.0.0/33");
  }

  @Test
  void aMalformedAllowlistEntryIsRejectedWithExitCode2() {
    Result r = run("run", "--prometheus-allowed-url", "ftp://prom", "--no-leader-election");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--prometheus-allowed-url: only http and https URLs: ftp://prom");
  }

  @Test
  void defaultsAreSafe() {
    RunCommand run = new RunCommand();
    new CommandLine(run).parseArgs();
    OperatorSettings s = run.settings();
    assertThat(s.namespaces()).isEmpty();
    assertThat(s.allowSnippetAnnotations()).isFalse();
    assertThat(s.leaderElection()).isTrue();
    assertThat(s.metricsPort()).isEqualTo(8080);
    assertThat(s.guards()).isEqualTo(Guards.defaults());
    assertThat(s.guards().minEvaluationInterval()).isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(s.guards().prometheusAllowedUrls()).isEmpty();
    assertThat(s.guards().bearerTokenOverHttp()).isFalse();
  }

  @Test
  void aPrometheusUrlThatIsNotHttpIsRejectedWithExitCode2() {
    Result r = run("run", "--prometheus-url", "prometheus:9090", "--no-leader-election");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--prometheus-url: expected http(s)://host[:port], got prometheus:9090");
  }
}
