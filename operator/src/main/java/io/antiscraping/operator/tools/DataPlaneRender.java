package io.antiscraping.operator.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.antiscraping.api.v1alpha1.Selector;
import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.operator.decision.EnforcementPlan;
import io.antiscraping.operator.enforcement.ApiKind;
import io.antiscraping.operator.enforcement.OwnedObjectWriter;
import io.antiscraping.operator.enforcement.PolicyRef;
import io.antiscraping.operator.enforcement.envoygateway.EnvoyGatewayPolicies;
import io.antiscraping.operator.enforcement.ingressnginx.IngressNginxAnnotations;
import io.antiscraping.operator.enforcement.ingressnginx.IngressNginxEnforcer;
import io.antiscraping.operator.enforcement.traefik.TraefikMiddleware;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the operator writes on a data plane for a plan, through the same renderers its enforcers use
 * ({@link IngressNginxAnnotations}, {@link EnvoyGatewayPolicies}, {@link TraefikMiddleware}) and the same object
 * shape ({@link OwnedObjectWriter#object}): the objects, what the data plane cannot express, and notes.
 */
final class DataPlaneRender {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      // Annotation values such as limit-rps "3" must stay strings for the API server.
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** The rendered objects (Kubernetes manifests), what is not enforceable, and notes for the reader. */
  record Output(List<ObjectNode> objects, List<String> notEnforceable, List<String> notes) {

    /** Multi-document YAML, the notes as comments first. */
    String yaml() {
      StringBuilder sb = new StringBuilder();
      notEnforceable.forEach(n -> sb.append("# not enforceable: ").append(n).append('\n'));
      notes.forEach(n -> sb.append("# ").append(n).append('\n'));
      for (int i = 0; i < objects.size(); i++) {
        if (i > 0 || sb.length() > 0) {
          sb.append("---\n");
        }
        try {
          sb.append(YAML.writeValueAsString(objects.get(i)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
      }
      return sb.toString();
    }

    /** The ingress-nginx annotations the operator owns on target {@code name} (all of them without targets). */
    Map<String, String> annotations(String name) {
      for (ObjectNode o : objects) {
        if ("Ingress".equals(o.path("kind").asText()) && (name == null || name.equals(o.at("/metadata/name").asText()))) {
          Map<String, String> out = new LinkedHashMap<>();
          o.at("/metadata/annotations").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
          return out;
        }
      }
      return Map.of();
    }
  }

  private DataPlaneRender() {
  }

  static Targets.Provider provider(String name) {
    for (Targets.Provider p : Targets.Provider.values()) {
      if (p.wireName().equalsIgnoreCase(name) || p.name().equalsIgnoreCase(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown provider " + name + ": expected IngressNginx, EnvoyGateway or "
        + "Traefik");
  }

  /**
   * @param targets the documents of a --targets file (Ingresses, HTTPRoutes, ...); null when none was given
   */
  static Output render(PolicySource policy, Targets.Provider provider, EnforcementPlan plan,
                       List<YamlDocuments.Document> targets, boolean allowSnippets) {
    Selector selector = policy.spec().getTargets() == null || policy.spec().getTargets().getSelector() == null
        ? new Selector() : policy.spec().getTargets().getSelector();
    PolicyRef ref = new PolicyRef(policy.namespace(), policy.name(), policy.uid(), null, selector,
        policy.spec().getTargets() != null && policy.spec().getTargets().isOverrideExisting());
    List<String> notes = new ArrayList<>();
    if (policy.spec().isDryRun()) {
      notes.add("spec.dryRun is true: while it is, the operator computes this and writes none of it");
    }
    if (policy.uid() == null && provider != Targets.Provider.INGRESS_NGINX) {
      notes.add("ownerReferences[0].uid is the policy's uid on the cluster (unknown offline)");
    }
    return switch (provider) {
      case INGRESS_NGINX -> ingressNginx(ref, plan, selected(targets, "Ingress", ref), targets == null,
          allowSnippets, notes);
      case ENVOY_GATEWAY -> envoyGateway(ref, plan, targets, notes);
      case TRAEFIK -> traefik(ref, plan, notes);
    };
  }

  private static Output ingressNginx(PolicyRef ref, EnforcementPlan plan, List<YamlDocuments.Document> selected,
                                     boolean noTargets, boolean allowSnippets, List<String> notes) {
    IngressNginxAnnotations.Rendered r = IngressNginxAnnotations.render(plan, allowSnippets);
    notes.addAll(r.notes());
    List<ObjectNode> objects = new ArrayList<>();
    if (r.annotations().isEmpty()) {
      notes.add("level " + plan.level() + " sets nothing on ingress-nginx: the operator writes no annotation");
      return new Output(objects, r.notEnforceable(), notes);
    }
    Map<String, String> annotations = new LinkedHashMap<>(new java.util.TreeMap<>(r.annotations()));
    annotations.put(IngressNginxEnforcer.OWNER, ref.name());
    if (noTargets) {
      notes.add("annotations the operator sets on every Ingress the selector selects (pass --targets FILE for the "
          + "real ones)");
      objects.add(ingress("*", ref.namespace(), annotations));
    } else if (selected.isEmpty()) {
      notes.add("spec.targets.selector selects no Ingress of the targets file in namespace " + ref.namespace());
    } else {
      selected.forEach(t -> objects.add(ingress(t.name(), ref.namespace(), annotations)));
    }
    return new Output(objects, r.notEnforceable(), notes);
  }

  private static ObjectNode ingress(String name, String namespace, Map<String, String> annotations) {
    ObjectNode o = YAML.createObjectNode();
    o.put("apiVersion", "networking.k8s.io/v1");
    o.put("kind", "Ingress");
    ObjectNode meta = o.putObject("metadata");
    meta.put("name", name);
    meta.put("namespace", namespace);
    ObjectNode a = meta.putObject("annotations");
    annotations.forEach(a::put);
    return o;
  }

  private static Output envoyGateway(PolicyRef ref, EnforcementPlan plan, List<YamlDocuments.Document> targets,
                                     List<String> notes) {
    EnvoyGatewayPolicies.Rendered r = EnvoyGatewayPolicies.render(plan);
    List<String> routes = selected(targets, "HTTPRoute", ref).stream().map(YamlDocuments.Document::name).sorted()
        .toList();
    List<ObjectNode> objects = new ArrayList<>();
    if (targets == null) {
      notes.add("no --targets: targetRefs lists no HTTPRoute (the operator attaches the policies to the selected "
          + "HTTPRoutes)");
    } else {
      // The whole input for `egctl x translate`: the user's Gateway API objects, then the operator's policies.
      targets.forEach(t -> objects.add((ObjectNode) t.node()));
      if (routes.isEmpty()) {
        notes.add("spec.targets.selector selects no HTTPRoute of the targets file in namespace " + ref.namespace());
      }
    }
    if (!r.rateLimitRules().isEmpty()) {
      objects.add(object(EnvoyGatewayPolicies.BACKEND_TRAFFIC_POLICY, ref,
          EnvoyGatewayPolicies.trafficPolicyName(ref.name()),
          EnvoyGatewayPolicies.trafficSpec(routes, r.rateLimitRules())));
    }
    if (r.authorization() != null) {
      objects.add(object(EnvoyGatewayPolicies.SECURITY_POLICY, ref, EnvoyGatewayPolicies.securityPolicyName(ref.name()),
          EnvoyGatewayPolicies.securitySpec(routes, r.authorization())));
    }
    if (r.rateLimitRules().isEmpty() && r.authorization() == null) {
      notes.add("level " + plan.level() + " needs no Envoy Gateway policy: the operator writes none (and deletes "
          + "its own)");
    }
    return new Output(objects, r.notEnforceable(), notes);
  }

  private static Output traefik(PolicyRef ref, EnforcementPlan plan, List<String> notes) {
    TraefikMiddleware.Rendered r = TraefikMiddleware.render(plan);
    notes.add("routers reference it as " + TraefikMiddleware.reference(ref.namespace(), ref.name()));
    return new Output(List.of(object(TraefikMiddleware.MIDDLEWARE, ref, TraefikMiddleware.name(ref.name()), r.spec())),
        r.notEnforceable(), notes);
  }

  private static ObjectNode object(ApiKind kind, PolicyRef ref, String name, ObjectNode spec) {
    JsonNode n = SERIALIZATION.convertValue(OwnedObjectWriter.object(kind, ref, name, spec), JsonNode.class);
    return (ObjectNode) n;
  }

  private static List<YamlDocuments.Document> selected(List<YamlDocuments.Document> targets, String kind,
                                                       PolicyRef ref) {
    if (targets == null) {
      return List.of();
    }
    return targets.stream().filter(t -> kind.equals(t.kind()))
        .filter(t -> (t.namespace().isEmpty() ? ref.namespace() : t.namespace()).equals(ref.namespace()))
        .filter(t -> ref.selector().matches(labels(t.node())))
        .toList();
  }

  private static Map<String, String> labels(JsonNode node) {
    Map<String, String> out = new HashMap<>();
    node.path("metadata").path("labels").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }
}
