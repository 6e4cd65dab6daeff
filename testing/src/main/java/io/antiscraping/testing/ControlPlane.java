package io.antiscraping.testing;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real Kubernetes control plane on loopback: etcd and kube-apiserver started by Fabric8's kube-api-test, plus
 * kube-controller-manager (garbage collection, namespace deletion), from the binaries that
 * {@code .ci/control-plane.sh} builds and caches. Authorization is RBAC; the admin client authenticates with
 * kube-api-test's {@code system:masters} client certificate.
 *
 * <p>{@link #shared(String)} starts one server per name and JVM, with the ScrapingPolicy CRD registered: tests
 * share it and isolate themselves by namespace; a test that needs a different cluster-wide state (e.g. some CRD
 * absent) uses another name. Shared servers stop when the JVM exits.
 *
 * <p>The binaries: {@code $KUBE_API_TEST_DIR} (default {@code ~/.cache/antiscraping-operator/kubeapitest}) holds
 * {@code k8s/<version>-linux-amd64/}; the version is {@code $KUBE_API_TEST_API_SERVER_VERSION}, else the one
 * pinned in {@code .ci/control-plane/versions.env}.
 */
public final class ControlPlane implements AutoCloseable {

  public static final String CRD_RESOURCE = "/META-INF/fabric8/scrapingpolicies.antiscraping.io-v1.yml";
  public static final String DEFAULT_DIR = Path.of(System.getProperty("user.home"), ".cache",
      "antiscraping-operator", "kubeapitest").toString();

  private static final Map<String, ControlPlane> SHARED = new HashMap<>();

  private final Versions versions;
  private final Path binaries;
  private final KubeAPIServer apiServer;
  private final String kubeconfig;
  private final Path workDir;
  private final Process controllerManager;
  private final KubernetesClient admin;

  private ControlPlane(Consumer<KubernetesClient> setup) {
    versions = Versions.find();
    String dir = env("KUBE_API_TEST_DIR", DEFAULT_DIR);
    binaries = Path.of(dir, "k8s", versions.kubernetes() + "-linux-amd64");
    for (String b : List.of("etcd", "kube-apiserver", "kubectl", "kube-controller-manager")) {
      if (!Files.isExecutable(binaries.resolve(b))) {
        throw new IllegalStateException(binaries.resolve(b) + " is missing: run .ci/control-plane.sh first"
            + " (it builds Kubernetes v" + versions.kubernetes() + " and etcd v" + versions.etcd()
            + " from their Go modules and caches them there)");
      }
    }
    apiServer = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
        .withTestDir(dir)
        .withApiServerVersion(versions.kubernetes())
        .withOfflineMode(true)
        .withUpdateKubeConfig(false)
        .withWaitForEtcdHealthCheckOnStartup(true)
        .withStartupTimeout(120_000)
        .withApiServerFlag("--bind-address", "127.0.0.1")
        .build());
    apiServer.start();
    kubeconfig = apiServer.getKubeConfigYaml();
    try {
      workDir = Files.createTempDirectory("control-plane");
      Path kubeconfigFile = workDir.resolve("kubeconfig");
      Files.writeString(kubeconfigFile, kubeconfig);
      controllerManager = new ProcessBuilder(binaries.resolve("kube-controller-manager").toString(),
          "--kubeconfig=" + kubeconfigFile,
          "--controllers=garbage-collector-controller,namespace-controller",
          "--leader-elect=false",
          "--bind-address=127.0.0.1",
          "--secure-port=0",
          "--concurrent-gc-syncs=5",
          "--namespace-sync-period=10s")
          .redirectErrorStream(true)
          .redirectOutput(workDir.resolve("kube-controller-manager.log").toFile())
          .start();
    } catch (IOException e) {
      apiServer.stop();
      throw new UncheckedIOException(e);
    }
    admin = new KubernetesClientBuilder().withConfig(adminConfig()).build();
    try {
      setup.accept(admin);
    } catch (RuntimeException e) {
      // e.g. the server refuses a CRD: stop the processes, which nothing else would stop
      close();
      throw e;
    }
  }

  /**
   * The shared control plane of this name, started on first use with the ScrapingPolicy CRD registered and stopped
   * when the JVM exits.
   */
  public static synchronized ControlPlane shared(String name) {
    return SHARED.computeIfAbsent(name, n -> startUntilExit(c -> register(c, crd(c))));
  }

  /** {@code shared("default")} */
  public static ControlPlane shared() {
    return shared("default");
  }

  /** A control plane of its own (the caller closes it), set up by {@code setup} with the admin client. */
  public static ControlPlane start(Consumer<KubernetesClient> setup) {
    return new ControlPlane(setup);
  }

  private static ControlPlane startUntilExit(Consumer<KubernetesClient> setup) {
    ControlPlane plane = new ControlPlane(setup);
    Runtime.getRuntime().addShutdownHook(new Thread(plane::close, "control-plane-stop"));
    return plane;
  }

  /** The ScrapingPolicy CRD as generated by the build. */
  public static CustomResourceDefinition crd(KubernetesClient client) {
    try (InputStream in = ControlPlane.class.getResourceAsStream(CRD_RESOURCE)) {
      return client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates (or replaces) a CRD and waits until the server serves it. */
  public static void register(KubernetesClient client, CustomResourceDefinition crd) {
    crd.getMetadata().setResourceVersion(null);
    client.apiextensions().v1().customResourceDefinitions().resource(crd).forceConflicts().serverSideApply();
    client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
        .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions() != null
            && c.getStatus().getConditions().stream()
            .anyMatch(s -> "Established".equals(s.getType()) && "True".equals(s.getStatus())), 30, TimeUnit.SECONDS);
  }

  /** Client configuration of the cluster admin ({@code system:masters}). */
  public Config adminConfig() {
    Config config = Config.fromKubeconfig(kubeconfig);
    config.setNamespace("default");
    return config;
  }

  /** The admin's kubeconfig (server, CA, client certificate), e.g. for a Helm client or kubectl. */
  public String kubeconfig() {
    return kubeconfig;
  }

  /** A client of the cluster admin, shared: do not close it. */
  public KubernetesClient admin() {
    return admin;
  }

  /** The pinned versions, e.g. for a report: "kube-apiserver v1.36.3 + etcd v3.6.16". */
  public Versions versions() {
    return versions;
  }

  /** Where kube-controller-manager's log goes. */
  public Path controllerManagerLog() {
    return workDir.resolve("kube-controller-manager.log");
  }

  @Override
  public synchronized void close() {
    admin.close();
    controllerManager.destroy();
    try {
      if (!controllerManager.waitFor(10, TimeUnit.SECONDS)) {
        controllerManager.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    apiServer.stop();
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /** The Kubernetes and etcd versions the tests run against. */
  public record Versions(String kubernetes, String etcd) {

    /** "kube-apiserver v1.36.3 + etcd v3.6.16" */
    @Override
    public String toString() {
      return "kube-apiserver v" + kubernetes + " + etcd v" + etcd;
    }

    /** {@code $KUBE_API_TEST_API_SERVER_VERSION} / {@code $ANTISCRAPING_ETCD_VERSION}, else versions.env. */
    static Versions find() {
      Properties pinned = new Properties();
      Path file = versionsFile();
      if (file != null) {
        try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          pinned.load(in);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      String k8s = env("KUBE_API_TEST_API_SERVER_VERSION", pinned.getProperty("KUBERNETES_VERSION"));
      String etcd = env("ANTISCRAPING_ETCD_VERSION", pinned.getProperty("ETCD_VERSION"));
      if (k8s == null || etcd == null) {
        throw new IllegalStateException("no Kubernetes version: set KUBE_API_TEST_API_SERVER_VERSION or run from"
            + " the repository (.ci/control-plane/versions.env)");
      }
      return new Versions(k8s.trim(), etcd.trim());
    }

    private static Path versionsFile() {
      for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
        Path f = d.resolve(".ci/control-plane/versions.env");
        if (Files.isRegularFile(f)) {
          return f;
        }
      }
      return null;
    }
  }
}
