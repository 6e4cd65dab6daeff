package io.antiscraping.lab.kube;

import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.antiscraping.testing.ControlPlane;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Kubernetes API the lab runs against: a real control plane on loopback by default (kube-apiserver, etcd and
 * kube-controller-manager as built by {@code .ci/control-plane.sh}, one per JVM, shared by the scenarios), or the
 * cluster of the current KUBECONFIG. Either way each lab cluster works in a namespace of its own and deletes it at
 * the end.
 */
public final class LabCluster implements AutoCloseable {

  public static final String CRD_RESOURCE = "/META-INF/fabric8/scrapingpolicies.antiscraping.io-v1.yml";
  public static final String PART_OF = "app.kubernetes.io/part-of";

  private final ControlPlane plane;
  private final KubernetesClient client;
  private final String namespace;

  private LabCluster(ControlPlane plane, KubernetesClient client, String namespace) {
    this.plane = plane;
    this.client = client;
    this.namespace = namespace;
  }

  /** KUBECONFIG set: that cluster; else the lab's own control plane. */
  public static LabCluster fromEnvironment() {
    return kubeconfigSet() ? real() : embedded();
  }

  /**
   * A namespace of its own ({@code shop-xxxxxxxx}) on the control plane this JVM shares (started on first use, in a
   * few seconds, with the ScrapingPolicy CRD registered; stopped when the JVM exits).
   */
  public static LabCluster embedded() {
    ControlPlane plane = ControlPlane.shared();
    KubernetesClient client = new KubernetesClientBuilder().withConfig(plane.adminConfig()).build();
    return new LabCluster(plane, client, createNamespace(client, "shop-"));
  }

  public static LabCluster real() {
    KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.autoConfigure(null)).build();
    registerCrd(client);
    return new LabCluster(null, client, createNamespace(client, "antiscraping-lab-"));
  }

  /**
   * What the lab runs against, for the report: "kube-apiserver v1.36.3 + etcd v3.6.16 (built from their Go
   * modules, one control plane, a namespace per scenario)", or the KUBECONFIG cluster.
   */
  public static String describeEnvironment() {
    return kubeconfigSet() ? "cluster from KUBECONFIG (a namespace per scenario)"
        : ControlPlane.shared().versions() + " with kube-controller-manager (built from their Go modules; one control"
            + " plane, a namespace per scenario)";
  }

  private static boolean kubeconfigSet() {
    String kubeconfig = System.getenv("KUBECONFIG");
    return kubeconfig != null && !kubeconfig.isBlank();
  }

  private static String createNamespace(KubernetesClient client, String prefix) {
    String ns = prefix + UUID.randomUUID().toString().substring(0, 8);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
        .addToLabels("app.kubernetes.io/managed-by", "antiscraping-lab").endMetadata().build()).create();
    return ns;
  }

  /** Registers the ScrapingPolicy CRD (status as a subresource) unless the server has it already. */
  private static void registerCrd(KubernetesClient client) {
    try (InputStream in = LabCluster.class.getResourceAsStream(CRD_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing " + CRD_RESOURCE + " on the classpath (antiscraping-crds jar)");
      }
      CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
      if (client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).get() == null) {
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public KubernetesClient client() {
    return client;
  }

  public String namespace() {
    return namespace;
  }

  public boolean isEmbedded() {
    return plane != null;
  }

  public String describe() {
    return isEmbedded() ? plane.versions() + ", namespace " + namespace
        : "cluster " + client.getMasterUrl() + ", namespace " + namespace;
  }

  /** Label that tells the storefront's two Ingresses apart; the lab policy selects {@link #SENSITIVE}. */
  public static final String COMPONENT = "app.kubernetes.io/component";
  /** The catalogue Ingress ({@code /}, {@code /products/...}): fixed limits of its own, not selected by the policy. */
  public static final String CATALOGUE = "storefront-catalogue";
  /** The Ingress of the sensitive paths ({@code /api/users/}, {@code /api/products/} comments): the policy's target. */
  public static final String SENSITIVE = "storefront-sensitive";
  /** The catalogue's own limits, as its owners set them: the policy never touches them. */
  public static final Map<String, String> CATALOGUE_ANNOTATIONS = Map.of(
      "nginx.ingress.kubernetes.io/limit-rps", "10",
      "nginx.ingress.kubernetes.io/limit-burst-multiplier", "5",
      "nginx.ingress.kubernetes.io/limit-connections", "20",
      // the verified search-engine range crawls the catalogue faster than a person
      "nginx.ingress.kubernetes.io/limit-allowlist", "10.0.0.0/8,66.249.64.0/19");

  /**
   * The storefront's two Ingresses on host shop.example, both to Service storefront, as ingress-nginx users isolate
   * a path: {@link #CATALOGUE} for everything with its own fixed limits, and {@link #SENSITIVE} for the paths whose
   * records are worth protecting, labelled for the lab policy's selector.
   */
  public List<Ingress> createStorefrontIngresses() {
    Ingress catalogue = ingress(CATALOGUE, "catalogue", CATALOGUE_ANNOTATIONS, List.of("/"));
    Ingress sensitive = ingress(SENSITIVE, "sensitive-api", Map.of(), List.of("/api/users/", "/api/products/"));
    List<Ingress> out = new java.util.ArrayList<>();
    for (Ingress i : List.of(catalogue, sensitive)) {
      out.add(client.network().v1().ingresses().inNamespace(namespace).resource(i).create());
    }
    return out;
  }

  /** One Ingress for the whole storefront (host shop.example, {@code /} to Service storefront), named storefront. */
  public Ingress createStorefrontIngress() {
    Ingress ingress = new IngressBuilder().withNewMetadata().withName("storefront").withNamespace(namespace)
        .withLabels(Map.of(PART_OF, "storefront")).endMetadata()
        .withNewSpec().withIngressClassName("nginx").addNewRule().withHost("shop.example").withNewHttp().addNewPath()
        .withPath("/").withPathType("Prefix").withNewBackend().withNewService().withName("storefront").withNewPort()
        .withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule().endSpec().build();
    return client.network().v1().ingresses().inNamespace(namespace).resource(ingress).create();
  }

  private Ingress ingress(String name, String component, Map<String, String> annotations, List<String> paths) {
    var http = new IngressBuilder().withNewMetadata().withName(name).withNamespace(namespace)
        .withLabels(Map.of(PART_OF, "storefront", COMPONENT, component)).withAnnotations(annotations).endMetadata()
        .withNewSpec().withIngressClassName("nginx").addNewRule().withHost("shop.example").withNewHttp();
    for (String path : paths) {
      http = http.addNewPath().withPath(path).withPathType("Prefix").withNewBackend().withNewService()
          .withName("storefront").withNewPort().withNumber(80).endPort().endService().endBackend().endPath();
    }
    return http.endHttp().endRule().endSpec().build();
  }

  public ScrapingPolicy policy(String name) {
    return client.resources(ScrapingPolicy.class).inNamespace(namespace).withName(name).get();
  }

  @Override
  public void close() {
    try {
      // kube-controller-manager empties and removes it (the shared control plane runs one)
      client.namespaces().withName(namespace).delete();
    } finally {
      client.close();
    }
  }
}
