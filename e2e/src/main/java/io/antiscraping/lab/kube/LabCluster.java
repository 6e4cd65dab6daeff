package io.antiscraping.lab.kube;

import io.antiscraping.api.v1alpha1.ScrapingPolicy;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Kubernetes API the lab runs against: an in-JVM API server (the Fabric8 mock server in CRUD mode) by default,
 * or the cluster of the current KUBECONFIG, where the lab works in a namespace of its own and deletes it at the end.
 */
public final class LabCluster implements AutoCloseable {

  public static final String CRD_RESOURCE = "/META-INF/fabric8/scrapingpolicies.antiscraping.io-v1.yml";
  public static final String PART_OF = "app.kubernetes.io/part-of";

  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final String namespace;
  private final boolean ownNamespace;

  private LabCluster(KubernetesMockServer server, KubernetesClient client, String namespace, boolean ownNamespace) {
    this.server = server;
    this.client = client;
    this.namespace = namespace;
    this.ownNamespace = ownNamespace;
  }

  /** KUBECONFIG set: that cluster; else the in-JVM API server. */
  public static LabCluster fromEnvironment() {
    String kubeconfig = System.getenv("KUBECONFIG");
    return kubeconfig == null || kubeconfig.isBlank() ? embedded() : real();
  }

  public static LabCluster embedded() {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    KubernetesClient client = server.createClient();
    LabCluster cluster = new LabCluster(server, client, "shop", false);
    cluster.registerCrd();
    return cluster;
  }

  public static LabCluster real() {
    KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.autoConfigure(null)).build();
    String ns = "antiscraping-lab-" + UUID.randomUUID().toString().substring(0, 8);
    LabCluster cluster = new LabCluster(null, client, ns, true);
    cluster.registerCrd();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns)
        .addToLabels("app.kubernetes.io/managed-by", "antiscraping-lab").endMetadata().build()).create();
    return cluster;
  }

  /** Registers the ScrapingPolicy CRD (status as a subresource) unless the server has it already. */
  private void registerCrd() {
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
    return server != null;
  }

  public String describe() {
    return isEmbedded() ? "in-JVM Kubernetes API server (Fabric8 mock server, CRUD mode)"
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
      if (ownNamespace) {
        client.namespaces().withName(namespace).delete();
      }
    } finally {
      client.close();
      if (server != null) {
        server.destroy();
      }
    }
  }
}
