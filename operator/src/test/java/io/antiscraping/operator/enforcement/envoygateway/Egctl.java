package io.antiscraping.operator.enforcement.envoygateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Envoy Gateway's own translator, offline: {@code egctl x translate --from gateway-api --to gateway-api,xds -t all}
 * turns Gateway API and Envoy Gateway objects into the objects with the status Envoy Gateway would write
 * ({@code status.ancestors[].conditions} of each policy) and the xDS it would send to Envoy. egctl is built by
 * {@code .ci/egctl.sh} from its Go module at the version pinned in {@code .ci/control-plane/versions.env}
 * ({@code ENVOY_GATEWAY_VERSION}) and cached outside the clone; {@code .ci/run} builds it before the tests. A missing
 * binary that cannot be built fails the test, it is never skipped.
 *
 * <p>The translator keeps only the name and namespace of each object's metadata: its status carries no
 * {@code observedGeneration} and no {@code lastTransitionTime}, which the running Envoy Gateway fills in.
 */
final class Egctl {

  static final String CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller";
  static final String GATEWAY_API = "gateway.networking.k8s.io/v1";
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
  static final Path WORK = Path.of("target", "egctl");
  private static final AtomicInteger RUNS = new AtomicInteger();
  private static String binary;

  private Egctl() {
  }

  /** The path of the egctl binary, built by {@code .ci/egctl.sh} if it is not cached yet. */
  static synchronized String binary() {
    if (binary == null) {
      try {
        Process p = new ProcessBuilder("../.ci/egctl.sh").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(".ci/egctl.sh builds egctl, Envoy Gateway's translator, at the version pinned in "
            + ".ci/control-plane/versions.env (needs the go tool): %s", err).isZero();
        assertThat(Path.of(out)).as("the egctl binary .ci/egctl.sh printed").isExecutable();
        binary = out;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot run ../.ci/egctl.sh (run the tests from the operator module)", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return binary;
  }

  // ---- fixtures ----

  /** A GatewayClass {@code eg} of Envoy Gateway's controller. */
  static ObjectNode gatewayClass() {
    ObjectNode o = object(GATEWAY_API, "GatewayClass", null, "eg");
    o.putObject("spec").put("controllerName", CONTROLLER);
    return o;
  }

  /** A Gateway of class {@code eg} with one HTTP listener on port 80. */
  static ObjectNode gateway(String namespace, String name) {
    ObjectNode o = object(GATEWAY_API, "Gateway", namespace, name);
    ObjectNode spec = o.putObject("spec").put("gatewayClassName", "eg");
    spec.putArray("listeners").addObject().put("name", "http").put("protocol", "HTTP").put("port", 80);
    return o;
  }

  /** An HTTPRoute on the Gateway with host {@code <name>.shop.example}, to a Service of its name. */
  static ObjectNode route(String namespace, String name, String gateway) {
    ObjectNode o = object(GATEWAY_API, "HTTPRoute", namespace, name);
    ObjectNode spec = o.putObject("spec");
    spec.putArray("parentRefs").addObject().put("name", gateway);
    spec.putArray("hostnames").add(name + ".shop.example");
    spec.putArray("rules").addObject().putArray("backendRefs").addObject().put("name", name).put("port", 8080);
    return o;
  }

  static ObjectNode object(String apiVersion, String kind, String namespace, String name) {
    ObjectNode o = YAML.createObjectNode().put("apiVersion", apiVersion).put("kind", kind);
    ObjectNode meta = o.putObject("metadata").put("name", name);
    if (namespace != null) {
      meta.put("namespace", namespace);
    }
    return o;
  }

  // ---- the translator ----

  /**
   * Runs {@code egctl x translate --from gateway-api --to gateway-api,xds -t all -o yaml --add-missing-resources} on
   * the objects (their {@code status} and {@code metadata.managedFields} left out). Input and output stay in
   * {@code target/egctl/}.
   */
  static Translation translate(List<? extends JsonNode> objects) {
    try {
      Files.createDirectories(WORK);
      int run = RUNS.incrementAndGet();
      Path in = WORK.resolve(ProcessHandle.current().pid() + "-" + run + "-in.yaml");
      Path out = WORK.resolve(ProcessHandle.current().pid() + "-" + run + "-out.yaml");
      Path err = WORK.resolve(ProcessHandle.current().pid() + "-" + run + "-err.txt");
      List<String> docs = new ArrayList<>();
      for (JsonNode o : objects) {
        ObjectNode copy = o.deepCopy();
        copy.remove("status");
        if (copy.path("metadata") instanceof ObjectNode meta) {
          meta.remove("managedFields");
        }
        docs.add(YAML.writeValueAsString(copy));
      }
      Files.writeString(in, String.join("---\n", docs));
      Process p = new ProcessBuilder(binary(), "x", "translate", "--from", "gateway-api", "--to", "gateway-api,xds",
          "-t", "all", "-o", "yaml", "--add-missing-resources", "-f", in.toString())
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("egctl x translate -f %s finishes", in).isTrue();
      assertThat(p.exitValue()).as("egctl x translate -f %s: %s", in, Files.readString(err)).isZero();
      return new Translation(YAML.readTree(out.toFile()), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The translator's output: the objects with their status ({@code gateways}, {@code httpRoutes}, ...) and xDS. */
  record Translation(JsonNode out, Path file) {

    private static final Map<String, String> LISTS = Map.of("GatewayClass", "gatewayClass", "Gateway", "gateways",
        "HTTPRoute", "httpRoutes", "BackendTrafficPolicy", "backendTrafficPolicies",
        "SecurityPolicy", "securityPolicies");

    /** The translated object of that kind, namespace and name; fails when the output lacks it. */
    JsonNode object(String kind, String namespace, String name) {
      for (JsonNode o : out.path(LISTS.get(kind))) {
        if (namespace.equals(o.at("/metadata/namespace").asText()) && name.equals(o.at("/metadata/name").asText())) {
          return o;
        }
      }
      throw new AssertionError(kind + " " + namespace + "/" + name + " is not in the translator's output " + file);
    }

    /** The policy's {@code status.ancestors} entries for that Gateway (with or without a sectionName). */
    List<JsonNode> ancestors(String kind, String namespace, String name, String gatewayNamespace, String gateway) {
      List<JsonNode> entries = new ArrayList<>();
      for (JsonNode a : object(kind, namespace, name).at("/status/ancestors")) {
        JsonNode ref = a.path("ancestorRef");
        if ("Gateway".equals(ref.path("kind").asText()) && gateway.equals(ref.path("name").asText())
            && gatewayNamespace.equals(ref.path("namespace").asText(namespace))) {
          entries.add(a);
        }
      }
      return entries;
    }

    /** The conditions of that type in the policy's ancestor entries for the Gateway. */
    List<JsonNode> conditions(String kind, String namespace, String name, String gatewayNamespace, String gateway,
                              String type) {
      List<JsonNode> out = new ArrayList<>();
      for (JsonNode a : ancestors(kind, namespace, name, gatewayNamespace, gateway)) {
        for (JsonNode c : a.path("conditions")) {
          if (type.equals(c.path("type").asText())) {
            out.add(c);
          }
        }
      }
      return out;
    }

    /** The xDS routes Envoy Gateway programs on the Gateway's listeners for the HTTPRoute. */
    List<JsonNode> xdsRoutes(String gatewayNamespace, String gateway, String routeNamespace, String route) {
      List<JsonNode> routes = new ArrayList<>();
      String prefix = "httproute/" + routeNamespace + "/" + route + "/";
      for (JsonNode config : out.at("/xds").path(gatewayNamespace + "/" + gateway).path("configs")) {
        for (JsonNode rc : config.path("dynamicRouteConfigs")) {
          for (JsonNode vh : rc.at("/routeConfig/virtualHosts")) {
            for (JsonNode r : vh.path("routes")) {
              if (r.path("name").asText().startsWith(prefix)) {
                routes.add(r);
              }
            }
          }
        }
      }
      return routes;
    }

    /** The HTTP filters of the Gateway's listeners' connection managers, by name. */
    List<JsonNode> httpFilters(String gatewayNamespace, String gateway, String filter) {
      List<JsonNode> filters = new ArrayList<>();
      for (JsonNode config : out.at("/xds").path(gatewayNamespace + "/" + gateway).path("configs")) {
        for (JsonNode l : config.path("dynamicListeners")) {
          List<JsonNode> chains = new ArrayList<>();
          l.at("/activeState/listener/filterChains").forEach(chains::add);
          chains.add(l.at("/activeState/listener/defaultFilterChain"));
          for (JsonNode chain : chains) {
            for (JsonNode f : chain.path("filters")) {
              for (JsonNode h : f.at("/typedConfig/httpFilters")) {
                if (filter.equals(h.path("name").asText())) {
                  filters.add(h);
                }
              }
            }
          }
        }
      }
      return filters;
    }
  }
}
