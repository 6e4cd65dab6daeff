package io.antiscraping.operator.runtime;

import io.antiscraping.api.v1alpha1.Durations;
import io.antiscraping.operator.decision.Cidr;
import io.antiscraping.operator.detection.PrometheusAccess;
import io.antiscraping.operator.detection.TenantLimits;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code antiscraping-operator run}: the operator process. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run the operator: watch ScrapingPolicies and enforce them until stopped.", "",
        "Example:  antiscraping-operator run --prometheus-url http://prometheus-operated.monitoring:9090 "
            + "--namespace shop"})
public final class RunCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--kubeconfig", paramLabel = "FILE",
      description = "Kubeconfig file. Default: in-cluster configuration, then $KUBECONFIG, then ~/.kube/config.")
  File kubeconfig;

  @Option(names = "--namespace", paramLabel = "NS",
      description = "Namespace to watch (repeatable). Default: all namespaces.")
  List<String> namespaces = List.of();

  @Option(names = "--prometheus-url", paramLabel = "URL", defaultValue = OperatorSettings.DEFAULT_PROMETHEUS_URL,
      description = "Default: ${DEFAULT-VALUE}. The Prometheus of policies without spec.prometheus.url.")
  String prometheusUrl;

  @Option(names = "--prometheus-allowed-url", paramLabel = "URL|HOST",
      description = "A Prometheus that policies may name in spec.prometheus.url (repeatable): http(s)://host[:port]"
          + "[/path] (that URL and the paths under it), host, host:port or *.domain. A policy naming another one is "
          + "Invalid. Default: none listed, any host except loopback, link-local and cloud metadata addresses. "
          + "The --prometheus-url server is always allowed.")
  List<String> prometheusAllowedUrls = List.of();

  @Option(names = "--allow-bearer-token-over-http",
      description = "Let spec.prometheus.bearerTokenSecret be sent over plain http (the token is then readable on "
          + "the network). Default: off, a token needs an https URL.")
  boolean bearerTokenOverHttp;

  @Option(names = "--min-evaluation-interval", paramLabel = "DURATION", defaultValue = "10s",
      description = "No policy is evaluated more often; a shorter spec.evaluationInterval is raised to it. "
          + "Default: ${DEFAULT-VALUE}.")
  String minEvaluationInterval;

  @Option(names = "--namespace-concurrency", paramLabel = "N",
      defaultValue = "" + TenantLimits.DEFAULT_CONCURRENT_EVALUATIONS,
      description = "Evaluations of one namespace's policies that query Prometheus at once; the others are not "
          + "queried that time (their signals say so). Default: ${DEFAULT-VALUE}.")
  int namespaceConcurrency;

  @Option(names = "--namespace-query-budget", paramLabel = "N",
      defaultValue = "" + TenantLimits.DEFAULT_QUERIES_PER_MINUTE,
      description = "Prometheus queries one namespace's policies may send a minute; signals over it are not "
          + "queried (their status says so). Default: ${DEFAULT-VALUE}.")
  int namespaceQueryBudget;

  @Option(names = "--never-ban", paramLabel = "CIDR",
      description = "A range no ban may ever cover (repeatable), beside the built-in loopback, link-local and "
          + "special ranges: your load balancers', pods' and nodes' CIDRs. Default: none.")
  List<String> neverBan = List.of();

  @Option(names = "--prometheus-tenant-parameter", paramLabel = "NAME",
      description = "Send the policy's namespace with every query as request parameter NAME, for a tenant-scoped "
          + "query proxy in front of Prometheus (prom-label-proxy -label NAME enforces NAME=\"<namespace>\" on "
          + "every query). Default: none.")
  String tenantParameter;

  @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "" + OperatorSettings.DEFAULT_METRICS_PORT,
      description = "Port of /metrics, /healthz and /readyz. Default: ${DEFAULT-VALUE}.")
  int metricsPort;

  @Option(names = "--allow-snippet-annotations",
      description = "Allow writing the ingress-nginx modsecurity-snippet annotation (needed for WAF mode Blocking "
          + "and paranoia levels). Only operator-generated SecLang is ever written. Default: off.")
  boolean allowSnippetAnnotations;

  @Option(names = "--leader-election", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Take a Lease before reconciling (required with more than one replica). Default: on.")
  boolean leaderElection;

  @Option(names = "--lease-name", paramLabel = "NAME", defaultValue = OperatorSettings.DEFAULT_LEASE_NAME,
      description = "Leader-election Lease name. Default: ${DEFAULT-VALUE}.")
  String leaseName;

  @Option(names = "--lease-namespace", paramLabel = "NS", defaultValue = "${env:POD_NAMESPACE}",
      description = "Leader-election Lease namespace. Default: $POD_NAMESPACE, else the client's namespace.")
  String leaseNamespace;

  @Override
  public Integer call() throws InterruptedException {
    OperatorSettings settings = settings();
    if (kubeconfig != null) {
      if (!kubeconfig.canRead()) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--kubeconfig: cannot read " + kubeconfig);
      }
      System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig.getAbsolutePath());
    }
    KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.autoConfigure(null)).build();
    OperatorRuntime runtime = OperatorRuntime.start(client, settings, java.time.Clock.systemUTC(), true);
    LOG.info("antiscraping-operator running: namespaces={} prometheus={} metrics=:{} snippets={} leaderElection={}",
        settings.namespaces().isEmpty() ? "all" : settings.namespaces(), settings.defaultPrometheusUrl(),
        runtime.metricsPort(), settings.allowSnippetAnnotations(), settings.leaderElection());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      runtime.close();
      client.close();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
    return 0;
  }

  OperatorSettings settings() {
    URI url;
    try {
      url = URI.create(prometheusUrl);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--prometheus-url: not a URL: " + prometheusUrl);
    }
    if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--prometheus-url: expected http(s)://host[:port], got " + prometheusUrl);
    }
    if (metricsPort < 0 || metricsPort > 65535) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--metrics-port: out of range: " + metricsPort);
    }
    for (String entry : prometheusAllowedUrls) {
      try {
        PrometheusAccess.checkEntry(entry);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--prometheus-allowed-url: " + e.getMessage());
      }
    }
    Duration minInterval = Durations.parse(minEvaluationInterval).orElseThrow(() -> new CommandLine.ParameterException(
        spec.commandLine(), "--min-evaluation-interval: expected a duration such as 10s or 1m, got "
            + minEvaluationInterval));
    if (namespaceConcurrency < 1 || namespaceQueryBudget < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--namespace-concurrency and --namespace-query-budget must be at least 1");
    }
    if (tenantParameter != null && !tenantParameter.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--prometheus-tenant-parameter: expected a label name, got " + tenantParameter);
    }
    for (String cidr : neverBan) {
      if (Cidr.parse(cidr.strip()).isEmpty()) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--never-ban: not an IP address or CIDR: " + cidr);
      }
    }
    String leaseNs = leaseNamespace == null || leaseNamespace.isBlank() ? null : leaseNamespace;
    return new OperatorSettings(new LinkedHashSet<>(namespaces), url, metricsPort, allowSnippetAnnotations,
        leaderElection, leaseName, leaseNs, new Guards(prometheusAllowedUrls, bearerTokenOverHttp, minInterval,
            namespaceConcurrency, namespaceQueryBudget, neverBan, tenantParameter));
  }
}
