package io.antiscraping.operator.reconciler;

import io.antiscraping.operator.enforcement.ApiKind;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the custom resources of an optional data plane can be watched: the API server serves them (API
 * discovery, which every authenticated client may read) and the operator may list and watch them
 * (SelfSubjectRulesReview, which every authenticated client may create). Checked once at startup, before the
 * informers are registered: an informer on a kind that is not served, or not allowed, would stop the whole operator
 * from starting.
 */
final class ProviderApis {

  private static final Logger LOG = LoggerFactory.getLogger(ProviderApis.class);
  /** The namespace whose rules stand for a cluster-wide install (ClusterRoleBinding rules appear in every one). */
  static final String ANY_NAMESPACE = "default";

  /** Why a provider cannot run; {@code reason} is a condition reason. */
  record Problem(String reason, String message) {
  }

  private ProviderApis() {
  }

  /**
   * @param namespaces the watched namespaces; empty = all
   */
  static Optional<Problem> check(KubernetesClient client, String provider, List<ApiKind> kinds, Set<String> namespaces) {
    List<String> missing = new ArrayList<>();
    for (ApiKind kind : kinds) {
      if (!served(client, kind)) {
        missing.add(kind.toString());
      }
    }
    if (!missing.isEmpty()) {
      return Optional.of(new Problem("ProviderNotInstalled", "the API server does not serve " + String.join(", ", missing)
          + " (checked when the operator started): install " + provider + "'s CRDs, then restart the operator"));
    }
    List<String> denied = new ArrayList<>();
    for (String ns : namespaces.isEmpty() ? Set.of(ANY_NAMESPACE) : namespaces) {
      Optional<List<ResourceRule>> rules = rules(client, ns);
      if (rules.isEmpty()) {
        continue;
      }
      for (ApiKind kind : kinds) {
        for (String verb : List.of("list", "watch")) {
          if (!allows(rules.get(), kind.group(), kind.plural(), verb)) {
            denied.add(verb + " " + kind + (namespaces.isEmpty() ? "" : " in namespace " + ns));
          }
        }
      }
    }
    if (!denied.isEmpty()) {
      return Optional.of(new Problem("ProviderNotPermitted", "the operator may not " + String.join(", ", denied)
          + " (checked when the operator started): enable the provider in the Helm chart (providers.*.enabled), "
          + "then restart the operator"));
    }
    return Optional.empty();
  }

  private static boolean served(KubernetesClient client, ApiKind kind) {
    try {
      APIResourceList list = client.getApiResources(kind.apiVersion());
      return list != null && list.getResources() != null
          && list.getResources().stream().map(APIResource::getName).anyMatch(kind.plural()::equals);
    } catch (KubernetesClientException e) {
      LOG.warn("API discovery of {} failed: {}", kind.apiVersion(), rootCause(e));
      return false;
    }
  }

  /** The operator's rules in a namespace; empty when the answer cannot be relied on (then the informer decides). */
  private static Optional<List<ResourceRule>> rules(KubernetesClient client, String namespace) {
    try {
      SelfSubjectRulesReview answer = client.authorization().v1().selfSubjectRulesReview()
          .create(new SelfSubjectRulesReviewBuilder().withNewSpec().withNamespace(namespace).endSpec().build());
      if (answer == null || answer.getStatus() == null || answer.getStatus().getResourceRules() == null) {
        return Optional.empty();
      }
      if (Boolean.TRUE.equals(answer.getStatus().getIncomplete())) {
        LOG.info("the rules review of namespace {} is incomplete: {}", namespace,
            answer.getStatus().getEvaluationError());
        return Optional.empty();
      }
      return Optional.of(answer.getStatus().getResourceRules());
    } catch (KubernetesClientException e) {
      LOG.warn("SelfSubjectRulesReview in namespace {} failed: {}", namespace, rootCause(e));
      return Optional.empty();
    }
  }

  /** Whether RBAC rules allow a verb on every object of a resource (rules limited to resourceNames do not). */
  static boolean allows(List<ResourceRule> rules, String group, String resource, String verb) {
    return rules.stream().anyMatch(r -> (r.getResourceNames() == null || r.getResourceNames().isEmpty())
        && matches(r.getVerbs(), verb) && matches(r.getApiGroups(), group) && matches(r.getResources(), resource));
  }

  private static boolean matches(List<String> values, String wanted) {
    return values != null && (values.contains("*") || values.contains(wanted));
  }

  /** The innermost message: "Connection refused" says more than the client's "An error has occurred." */
  private static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return io.antiscraping.operator.decision.Sanitizer.sanitize(t == e ? m : e.getMessage() + " (" + m + ")");
  }
}
