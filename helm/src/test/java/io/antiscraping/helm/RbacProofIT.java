package io.antiscraping.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC is exactly what the operator uses. The operator's integration tests record every request the
 * operator made to the API server ({@code operator/target/api-requests/*.txt}, one {@code METHOD /path?query} per
 * line); each is mapped to the RBAC attributes the API server authorizes (group, resource, subresource, verb,
 * name) and must be allowed by the rendered ClusterRole and leader-election Role; each grant must be used by some
 * request, except the grants of data-plane providers that are off by default and the grants no request path can
 * show (see {@link #NOT_REQUEST_VISIBLE}). An integration test (failsafe, in {@code verify}): it reads what the
 * operator module's integration tests recorded earlier in the same build, so the unit layer needs nothing run first.
 */
class RbacProofIT {

  static final Path REQUESTS = Path.of("..", "operator", "target", "api-requests");
  static final Path REPORT = Path.of("target", "rbac-report.txt");

  /** API groups granted only when their provider is enabled (off by default, may be unused). */
  static final Set<String> PROVIDER_GROUPS = Set.of("gateway.networking.k8s.io", "gateway.envoyproxy.io", "traefik.io");

  /**
   * Grants that no request path exercises: updating {@code scrapingpolicies/finalizers} is what the
   * OwnerReferencesPermissionEnforcement admission plugin checks when the operator sets {@code blockOwnerDeletion}
   * on an object owned by a policy (granted only with a provider whose objects the operator owns); updating the
   * Lease is what JOSDK checks before leader election (ServiceAccountRbacIT fails without it).
   */
  static final Set<String> NOT_REQUEST_VISIBLE = Set.of("antiscraping.io scrapingpolicies/finalizers update",
      // JOSDK's leader election refuses to start unless the operator may update its Lease
      // (LeaderElectionManager.checkLeaseAccess, a SelfSubjectAccessReview); the renewals themselves are patches.
      "coordination.k8s.io leases update name=antiscraping-operator");

  /** Non-resource paths every authenticated client may GET (system:discovery, system:public-info-viewer). */
  static final List<String> DISCOVERY = List.of("/api", "/apis", "/version", "/openapi/", "/healthz", "/livez",
      "/readyz");

  /** Reviews every authenticated client may create (system:basic-user). */
  static final Set<String> SELF_REVIEWS = Set.of(
      "authorization.k8s.io selfsubjectaccessreviews create",
      "authorization.k8s.io selfsubjectrulesreviews create",
      "authentication.k8s.io selfsubjectreviews create");

  @Test
  void everyRequestOutsideTheProvidersIsAllowedByTheDefaultInstall() {
    List<Grant> rules = grants(Map.of());
    List<String> denied = new ArrayList<>();
    for (ApiRequest r : recorded()) {
      if ((r.nonResource() || !PROVIDER_GROUPS.contains(r.group())) && !allowed(r, rules)) {
        denied.add(r.line() + "  ->  " + r.attributes());
      }
    }
    assertThat(denied).as("requests the default ClusterRole and leader-election Role do not allow").isEmpty();
  }

  @Test
  void everyRequestIsAllowedWithEveryProviderEnabled() {
    List<Grant> rules = grants(Scenario.ALL_PROVIDERS.values);
    List<String> denied = recorded().stream().filter(r -> !allowed(r, rules))
        .map(r -> r.line() + "  ->  " + r.attributes()).distinct().toList();
    assertThat(denied).as("requests the rendered RBAC does not allow").isEmpty();
  }

  @Test
  void everyGrantIsUsed() throws IOException {
    List<ApiRequest> requests = recorded();
    Map<String, Integer> uses = new TreeMap<>();
    for (Grant g : grants(Scenario.ALL_PROVIDERS.values)) {
      uses.merge(g.key(), (int) requests.stream().filter(g::allows).count(), Integer::sum);
    }
    List<String> unused = new ArrayList<>();
    StringBuilder report = new StringBuilder("grant -> requests that used it (" + requests.size() + " requests)\n");
    uses.forEach((grant, count) -> {
      String note = "";
      if (count == 0) {
        if (PROVIDER_GROUPS.stream().anyMatch(grant::startsWith)) {
          note = "  (provider off by default)";
        } else if (NOT_REQUEST_VISIBLE.contains(grant)) {
          note = "  (not visible in a request path)";
        } else {
          note = "  UNUSED";
          unused.add(grant);
        }
      }
      report.append(String.format("%6d  %s%s%n", count, grant, note));
    });
    Files.createDirectories(REPORT.getParent());
    Files.writeString(REPORT, report);
    assertThat(unused).as("grants no recorded request used (see %s): drop them or cover them in the operator's "
        + "integration tests", REPORT).isEmpty();
  }

  @Test
  void requestLinesMapToRbacAttributes() {
    assertThat(ApiRequest.parse("GET /apis/antiscraping.io/v1alpha1/scrapingpolicies?watch=true&resourceVersion=1")
        .attributes()).isEqualTo("antiscraping.io scrapingpolicies watch");
    assertThat(ApiRequest.parse("GET /apis/antiscraping.io/v1alpha1/namespaces/shop/scrapingpolicies")
        .attributes()).isEqualTo("antiscraping.io scrapingpolicies list ns=shop");
    assertThat(ApiRequest.parse("PATCH /apis/antiscraping.io/v1alpha1/namespaces/shop/scrapingpolicies/sp/status")
        .attributes()).isEqualTo("antiscraping.io scrapingpolicies/status patch ns=shop name=sp");
    assertThat(ApiRequest.parse("PATCH /apis/networking.k8s.io/v1/namespaces/shop/ingresses/web").attributes())
        .isEqualTo("networking.k8s.io ingresses patch ns=shop name=web");
    assertThat(ApiRequest.parse("POST /api/v1/namespaces/shop/events").attributes())
        .isEqualTo(" events create ns=shop");
    assertThat(ApiRequest.parse("PUT /apis/coordination.k8s.io/v1/namespaces/ops/leases/antiscraping-operator")
        .attributes()).isEqualTo("coordination.k8s.io leases update ns=ops name=antiscraping-operator");
    assertThat(ApiRequest.parse("DELETE /apis/traefik.io/v1alpha1/namespaces/shop/middlewares/m").verb())
        .isEqualTo("delete");
    assertThat(ApiRequest.parse("DELETE /apis/traefik.io/v1alpha1/namespaces/shop/middlewares").verb())
        .isEqualTo("deletecollection");
    assertThat(ApiRequest.parse("GET /api/v1/namespaces/shop/secrets?fieldSelector=metadata.name%3Dtoken&watch=1")
        .attributes()).isEqualTo(" secrets watch ns=shop name=token");
    assertThat(ApiRequest.parse("GET /api/v1/namespaces/shop").attributes()).isEqualTo(" namespaces get name=shop");
    assertThat(ApiRequest.parse("GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/x.y").attributes())
        .isEqualTo("apiextensions.k8s.io customresourcedefinitions get name=x.y");
    assertThat(ApiRequest.parse("GET /version").nonResource()).isTrue();
    assertThat(ApiRequest.parse("GET /apis/antiscraping.io/v1alpha1").nonResource()).isTrue();
  }

  @Test
  void authorizationFollowsKubernetesRules() {
    List<Grant> rules = grants(Map.of());
    assertThat(allowed(ApiRequest.parse("GET /api/v1/namespaces/shop/secrets/prometheus-token"), rules)).isTrue();
    assertThat(allowed(ApiRequest.parse("GET /api/v1/namespaces/shop/secrets"), rules)).as("list secrets").isFalse();
    assertThat(allowed(ApiRequest.parse("PUT /apis/networking.k8s.io/v1/namespaces/shop/ingresses/web"), rules))
        .as("update an ingress").isFalse();
    assertThat(allowed(ApiRequest.parse("PATCH /apis/networking.k8s.io/v1/namespaces/shop/ingresses/web/status"),
        rules)).as("ingress status").isFalse();
    assertThat(allowed(ApiRequest.parse(
        "PATCH /apis/coordination.k8s.io/v1/namespaces/antiscraping-system/leases/antiscraping-operator"), rules))
        .isTrue();
    assertThat(allowed(ApiRequest.parse(
        "PATCH /apis/coordination.k8s.io/v1/namespaces/antiscraping-system/leases/someone-else"), rules))
        .as("another component's lease").isFalse();
    assertThat(allowed(ApiRequest.parse("GET /apis/coordination.k8s.io/v1/leases"), rules))
        .as("a Role grants nothing cluster-wide").isFalse();
    assertThat(allowed(ApiRequest.parse("POST /apis/gateway.envoyproxy.io/v1alpha1/namespaces/shop/securitypolicies"),
        rules)).as("provider off").isFalse();
    assertThat(allowed(ApiRequest.parse("GET /version"), rules)).isTrue();
  }

  @Test
  void missingRequestLogSaysWhatToRun() {
    assertThatThrownBy(() -> recorded(Path.of("target", "no-such-dir")))
        .hasMessageContaining("run the operator tests first (./mvnw -pl operator verify)");
  }

  // ---- the rendered RBAC ----

  /** Grants of the rendered ClusterRole(s) and Role(s) of a cluster-wide install. */
  static List<Grant> grants(Map<String, ?> values) {
    HelmChart.Rendered r = HelmChart.template(values);
    List<Grant> grants = new ArrayList<>();
    r.all(ClusterRole.class).forEach(c -> grants.addAll(expand(c.getRules(), false)));
    r.all(Role.class).forEach(c -> grants.addAll(expand(c.getRules(), true)));
    return grants;
  }

  static boolean allowed(ApiRequest r, List<Grant> grants) {
    if (r.nonResource()) {
      return "get".equals(r.verb()) && DISCOVERY.stream().anyMatch(p -> r.path().equals(p.replaceAll("/$", ""))
          || r.path().startsWith(p.endsWith("/") ? p : p + "/"));
    }
    if (SELF_REVIEWS.contains(r.group() + " " + r.resource() + " " + r.verb())) {
      return true;
    }
    return grants.stream().anyMatch(g -> g.allows(r));
  }

  /** One grant per (group, resource, verb, resource name) of the rules; a Role's only apply inside a namespace. */
  static List<Grant> expand(List<PolicyRule> rules, boolean namespaced) {
    List<Grant> grants = new ArrayList<>();
    for (PolicyRule rule : rules) {
      List<String> names = rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
          ? Collections.singletonList(null) : rule.getResourceNames();
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            for (String name : names) {
              grants.add(new Grant(group, resource, verb, name, namespaced));
            }
          }
        }
      }
    }
    return grants;
  }

  record Grant(String group, String resource, String verb, String name, boolean namespaced) {
    boolean allows(ApiRequest r) {
      return !r.nonResource()
          && group.equals(r.group())
          && resource.equals(r.subresource() == null ? r.resource() : r.resource() + "/" + r.subresource())
          && verb.equals(r.verb())
          && (name == null || name.equals(r.name()))
          && (!namespaced || r.namespace() != null);
    }

    String key() {
      return group + " " + resource + " " + verb + (name == null ? "" : " name=" + name);
    }
  }

  // ---- the recorded requests ----

  static List<ApiRequest> recorded() {
    return recorded(REQUESTS);
  }

  static List<ApiRequest> recorded(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new AssertionError("no API request log in " + dir.toAbsolutePath().normalize()
          + ": run the operator tests first (./mvnw -pl operator verify)");
    }
    List<ApiRequest> requests = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".txt")).sorted().toList()) {
        for (String line : Files.readAllLines(f)) {
          if (!line.isBlank()) {
            requests.add(ApiRequest.parse(line.strip()));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(requests).as("requests recorded in %s", dir).isNotEmpty();
    return requests;
  }

  /** One recorded request and the attributes the API server authorizes it by. */
  record ApiRequest(String line, String path, boolean nonResource, String group, String resource,
                    String subresource, String namespace, String name, String verb) {

    static ApiRequest parse(String line) {
      String[] parts = line.split("\\s+", 2);
      if (parts.length != 2) {
        throw new IllegalArgumentException("not `METHOD /path`: " + line);
      }
      String method = parts[0].toUpperCase();
      String target = parts[1];
      int q = target.indexOf('?');
      String path = q < 0 ? target : target.substring(0, q);
      Map<String, String> query = query(q < 0 ? "" : target.substring(q + 1));
      if (path.length() > 1 && path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      String[] seg = path.substring(1).split("/");
      String group;
      int rest;
      if (seg[0].equals("api") && seg.length >= 3) {
        group = "";
        rest = 2;
      } else if (seg[0].equals("apis") && seg.length >= 4) {
        group = seg[1];
        rest = 3;
      } else {
        return new ApiRequest(line, path, true, null, null, null, null, null, method.toLowerCase());
      }
      String namespace = null;
      String resource;
      String name = null;
      String sub = null;
      List<String> s = List.of(seg).subList(rest, seg.length);
      if (s.get(0).equals("namespaces") && s.size() >= 3) {
        namespace = s.get(1);
        resource = s.get(2);
        name = s.size() > 3 ? s.get(3) : null;
        sub = s.size() > 4 ? String.join("/", s.subList(4, s.size())) : null;
      } else {
        resource = s.get(0);
        name = s.size() > 1 ? s.get(1) : null;
        sub = s.size() > 2 ? String.join("/", s.subList(2, s.size())) : null;
      }
      boolean watch = "true".equals(query.get("watch")) || "1".equals(query.get("watch"));
      String verb = switch (method) {
        case "GET", "HEAD" -> watch ? "watch" : name == null ? "list" : "get";
        case "POST" -> "create";
        case "PUT" -> "update";
        case "PATCH" -> "patch";
        case "DELETE" -> name == null ? "deletecollection" : "delete";
        default -> throw new IllegalArgumentException("unknown method in " + line);
      };
      if (name == null && (verb.equals("list") || verb.equals("watch"))) {
        String selector = query.getOrDefault("fieldSelector", "");
        for (String term : selector.split(",")) {
          if (term.startsWith("metadata.name=")) {
            name = term.substring("metadata.name=".length());
          }
        }
      }
      return new ApiRequest(line, path, false, group, resource, sub, namespace, name, verb);
    }

    String attributes() {
      return group + " " + resource + (subresource == null ? "" : "/" + subresource) + " " + verb
          + (namespace == null ? "" : " ns=" + namespace) + (name == null ? "" : " name=" + name);
    }

    private static Map<String, String> query(String raw) {
      Map<String, String> out = new LinkedHashMap<>();
      for (String pair : raw.split("&")) {
        if (!pair.isEmpty()) {
          int eq = pair.indexOf('=');
          String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
          String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
          out.put(k, v);
        }
      }
      return out;
    }
  }
}
