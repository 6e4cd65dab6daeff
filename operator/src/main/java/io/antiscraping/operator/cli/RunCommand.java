package io.antiscraping.operator.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.net.URI;
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
final class RunCommand implements Callable<Integer> {

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
    String leaseNs = leaseNamespace == null || leaseNamespace.isBlank() ? null : leaseNamespace;
    return new OperatorSettings(new LinkedHashSet<>(namespaces), url, metricsPort, allowSnippetAnnotations,
        leaderElection, leaseName, leaseNs);
  }
}
