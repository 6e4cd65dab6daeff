package io.antiscraping.operator.enforcement;

import io.antiscraping.api.schema.CrdSchema;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The unmodified upstream CRDs kept in {@code src/test/resources/upstream-crds/} (versions and sources in its
 * README): registered with the test API server, or used to validate objects.
 */
public final class UpstreamCrds {

  public static final Path DIR = Path.of("src/test/resources/upstream-crds");
  public static final Path HTTP_ROUTES = DIR.resolve("gateway-api-v1.6.1/gateway.networking.k8s.io_httproutes.yaml");
  public static final Path GATEWAYS = DIR.resolve("gateway-api-v1.6.1/gateway.networking.k8s.io_gateways.yaml");
  public static final Path BACKEND_TRAFFIC_POLICIES =
      DIR.resolve("envoy-gateway-v1.9.0/gateway.envoyproxy.io_backendtrafficpolicies.yaml");
  public static final Path SECURITY_POLICIES =
      DIR.resolve("envoy-gateway-v1.9.0/gateway.envoyproxy.io_securitypolicies.yaml");
  public static final Path MIDDLEWARES = DIR.resolve("traefik-v3.7.9/traefik.io_middlewares.yaml");
  public static final List<Path> ENVOY_GATEWAY = List.of(HTTP_ROUTES, GATEWAYS, BACKEND_TRAFFIC_POLICIES,
      SECURITY_POLICIES);
  /** Every data-plane CRD the operator reads or writes. */
  public static final List<Path> ALL = List.of(HTTP_ROUTES, GATEWAYS, BACKEND_TRAFFIC_POLICIES, SECURITY_POLICIES,
      MIDDLEWARES);

  private UpstreamCrds() {
  }

  /**
   * A CRD file, read from the test classpath (the same files, as {@code /upstream-crds/...}), so that this works
   * from any working directory, e.g. a lab started from another module.
   */
  public static CustomResourceDefinition load(KubernetesClient client, Path crd) {
    String resource = "/upstream-crds/" + DIR.relativize(crd).toString().replace('\\', '/');
    try (InputStream in = UpstreamCrds.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no test resource " + resource);
      }
      return client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Schema and CEL errors of an object (as stored) against an upstream CRD; empty when valid. */
  public static List<String> validate(Path crd, GenericKubernetesResource object) {
    var json = OwnedObjectWriter.JSON.valueToTree(object);
    return CrdSchema.lenient(crd, "v1alpha1").validate(json).stream().map(Object::toString).toList();
  }
}
