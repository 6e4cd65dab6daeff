package io.antiscraping.operator.enforcement.ingressnginx;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.operator.decision.EnforcementPlan;
import io.antiscraping.operator.decision.Messages;
import io.antiscraping.operator.enforcement.ApiWriteListener;
import io.antiscraping.operator.enforcement.EnforcementReport;
import io.antiscraping.operator.enforcement.EnforcementReport.TargetResult;
import io.antiscraping.operator.enforcement.Enforcer;
import io.antiscraping.operator.enforcement.PolicyRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * ingress-nginx has no policy object of its own, so the operator patches annotations on the selected Ingresses:
 * only the keys it owns, recorded in {@value #OWNED_KEYS} next to {@value #OWNER}, with a JSON patch whose first
 * operation tests the resourceVersion it computed from. A key someone else set is a Conflict unless the policy
 * sets {@code targets.overrideExisting}.
 */
public final class IngressNginxEnforcer implements Enforcer {

  public static final String OWNER = "antiscraping.io/policy";
  public static final String OWNED_KEYS = "antiscraping.io/owned-keys";
  static final String KIND = "Ingress";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final boolean allowSnippets;
  private final ApiWriteListener writes;

  public IngressNginxEnforcer(KubernetesClient client, boolean allowSnippets, ApiWriteListener writes) {
    this.client = client;
    this.allowSnippets = allowSnippets;
    this.writes = writes;
  }

  @Override
  public Targets.Provider provider() {
    return Targets.Provider.INGRESS_NGINX;
  }

  @Override
  public Class<? extends HasMetadata> targetType() {
    return Ingress.class;
  }

  @Override
  public boolean ownedBy(HasMetadata target, String policyName) {
    return policyName.equals(annotations(target).get(OWNER));
  }

  @Override
  public EnforcementReport enforce(PolicyRef policy, List<PolicyRef> competing, List<? extends HasMetadata> candidates,
                                   EnforcementPlan plan, boolean dryRun) {
    IngressNginxAnnotations.Rendered planned = IngressNginxAnnotations.render(plan, allowSnippets);
    Report report = new Report(dryRun);
    report.notEnforceable.addAll(planned.notEnforceable());
    for (HasMetadata target : sorted(candidates)) {
      String name = target.getMetadata().getName();
      Map<String, String> current = annotations(target);
      IngressNginxAnnotations.Rendered rendered = withinBudget(plan, planned, current);
      rendered.notEnforceable().stream().filter(n -> !report.notEnforceable.contains(n))
          .forEach(n -> report.notEnforceable.add("Ingress " + name + ": " + n));
      boolean selected = policy.selector().matches(target.getMetadata().getLabels());
      if (!selected) {
        if (ownedBy(target, policy.name())) {
          release(target, report, "no longer selected by policy " + policy.name());
        }
        continue;
      }
      Optional<PolicyRef> winner = competing.stream()
          .filter(p -> p.selector().matches(target.getMetadata().getLabels()))
          .min(PolicyRef.PRECEDENCE);
      if (winner.isPresent() && !winner.get().sameAs(policy)) {
        String why = "Ingress " + name + " is also selected by policy " + winner.get().name()
            + ", which takes precedence (older, or same age and first by name)";
        report.conflicts.add(why);
        report.targets.add(new TargetResult(KIND, name, false, why));
        if (ownedBy(target, policy.name())) {
          release(target, report, "handed over to policy " + winner.get().name());
        }
        continue;
      }
      Set<String> owned = ownedKeys(current);
      boolean ownedByOperator = current.containsKey(OWNER);
      List<String> foreign = rendered.annotations().keySet().stream()
          .filter(k -> current.containsKey(k) && !(ownedByOperator && owned.contains(k)))
          .sorted().toList();
      if (!foreign.isEmpty() && !policy.overrideExisting()) {
        String why = "Ingress " + name + ": " + foreign.stream()
            .map(k -> k + " is already set by someone else (\"" + abbreviate(current.get(k)) + "\")")
            .collect(Collectors.joining(", "))
            + "; remove it or set spec.targets.overrideExisting to let the policy take it over";
        report.conflicts.add(why);
        report.targets.add(new TargetResult(KIND, name, false, why));
        continue;
      }
      Set<String> nowOwned = new TreeSet<>(rendered.annotations().keySet());
      ArrayNode ops = JSON.createArrayNode();
      List<String> described = new ArrayList<>();
      rendered.annotations().forEach((k, v) -> {
        if (!v.equals(current.get(k))) {
          ops.add(op("add", k, v));
          described.add(describe(k, current.get(k), v));
        }
      });
      for (String k : owned) {
        if (!nowOwned.contains(k) && current.containsKey(k)) {
          ops.add(op("remove", k, null));
          described.add(shortKey(k) + " removed");
        }
      }
      if (nowOwned.isEmpty()) {
        bookkeepingRemoval(current, ops);
      } else {
        String ownedValue = String.join(",", nowOwned);
        if (!policy.name().equals(current.get(OWNER))) {
          ops.add(op("add", OWNER, policy.name()));
        }
        if (!ownedValue.equals(current.get(OWNED_KEYS))) {
          ops.add(op("add", OWNED_KEYS, ownedValue));
        }
      }
      if (!ops.isEmpty()) {
        // The snippet goes in a patch of its own after the rest: a controller that refuses snippets then refuses
        // only the snippet, never the limits and bans beside it.
        ArrayNode snippet = JSON.createArrayNode();
        ArrayNode rest = JSON.createArrayNode();
        String snippetPath = op("add", IngressNginxAnnotations.MODSECURITY_SNIPPET, null).path("path").asText();
        ops.forEach(o -> (o.path("path").asText().equals(snippetPath) ? snippet : rest).add(o));
        String failed = null;
        String version = target.getMetadata().getResourceVersion();
        boolean create = current.isEmpty();
        if (!rest.isEmpty()) {
          version = patch(target, version, rest, report, create);
          failed = version == null ? "the limits, bans and WAF settings" : null;
          create = false;
        }
        if (failed == null && !snippet.isEmpty() && patch(target, version, snippet, report, create) == null) {
          failed = "the modsecurity-snippet (the limits and bans are written)";
        }
        if (failed != null) {
          String why = "Ingress " + name + ": writing " + failed + " failed: " + report.lastFailure;
          report.writeFailures.add(why);
          report.targets.add(new TargetResult(KIND, name, false, why));
          continue;
        }
        if (!described.isEmpty()) {
          report.changes.add("Ingress " + name + ": " + String.join(", ", described));
        }
      }
      String message = (rendered.notEnforceable().isEmpty() ? "level " + plan.level() + " enforced"
          : "level " + plan.level() + " enforced except " + String.join("; ", rendered.notEnforceable()))
          + (rendered.notes().isEmpty() ? "" : "; " + String.join("; ", rendered.notes()));
      report.targets.add(new TargetResult(KIND, name, true, message));
    }
    return report.build();
  }

  /**
   * The planned annotations, or a smaller rendering when the Ingress's own annotations leave less than the default
   * budget (the API server refuses an object whose annotations exceed 256 KiB in all).
   */
  private IngressNginxAnnotations.Rendered withinBudget(EnforcementPlan plan, IngressNginxAnnotations.Rendered planned,
                                                        Map<String, String> current) {
    Set<String> owned = ownedKeys(current);
    Map<String, String> theirs = new java.util.HashMap<>(current);
    theirs.keySet().removeIf(k -> owned.contains(k) || IngressNginxAnnotations.ALL.contains(k));
    int bookkeeping = 512;
    int left = IngressNginxAnnotations.MAX_TOTAL_BYTES - IngressNginxAnnotations.size(theirs) - bookkeeping;
    return left >= IngressNginxAnnotations.DEFAULT_BUDGET_BYTES ? planned
        : IngressNginxAnnotations.render(plan, allowSnippets, Math.max(0, left));
  }

  @Override
  public EnforcementReport cleanup(PolicyRef policy, List<? extends HasMetadata> candidates) {
    Report report = new Report(false);
    for (HasMetadata target : sorted(candidates)) {
      if (ownedBy(target, policy.name())) {
        release(target, report, "policy " + policy.name() + " removed");
      }
    }
    return report.build();
  }

  /** Removes exactly the keys this operator recorded as its own, and the bookkeeping. */
  private void release(HasMetadata target, Report report, String why) {
    Map<String, String> current = annotations(target);
    ArrayNode ops = JSON.createArrayNode();
    for (String k : ownedKeys(current)) {
      if (current.containsKey(k)) {
        ops.add(op("remove", k, null));
      }
    }
    bookkeepingRemoval(current, ops);
    if (ops.isEmpty()) {
      return;
    }
    if (patch(target, target.getMetadata().getResourceVersion(), ops, report, current.isEmpty()) != null) {
      report.changes.add("Ingress " + target.getMetadata().getName() + ": operator annotations removed (" + why + ")");
    } else {
      report.writeFailures.add("Ingress " + target.getMetadata().getName() + ": removing the operator's annotations "
          + "failed: " + report.lastFailure);
    }
  }

  private static void bookkeepingRemoval(Map<String, String> current, ArrayNode ops) {
    if (current.containsKey(OWNER)) {
      ops.add(op("remove", OWNER, null));
    }
    if (current.containsKey(OWNED_KEYS)) {
      ops.add(op("remove", OWNED_KEYS, null));
    }
  }

  /**
   * Patches one Ingress, testing {@code resourceVersion} first. A refusal is this target's failure only: it is
   * recorded in the report and the next targets are still written.
   *
   * @return the new resourceVersion (the given one in a dry run), or null when the API server refused the patch
   */
  private String patch(HasMetadata target, String resourceVersion, ArrayNode ops, Report report,
                       boolean createAnnotations) {
    if (report.dryRun) {
      return resourceVersion;
    }
    ArrayNode patch = JSON.createArrayNode();
    ObjectNode test = patch.addObject();
    test.put("op", "test").put("path", "/metadata/resourceVersion").put("value", resourceVersion);
    // Fabric8 models read an absent map as an empty one: the stored object then has no /metadata/annotations to add to.
    if (createAnnotations) {
      patch.addObject().put("op", "add").put("path", "/metadata/annotations").putObject("value");
    }
    patch.addAll(ops);
    try {
      Ingress written = client.network().v1().ingresses().inNamespace(target.getMetadata().getNamespace())
          .withName(target.getMetadata().getName())
          .patch(new PatchContext.Builder().withPatchType(PatchType.JSON).withFieldManager(FIELD_MANAGER).build(),
              patch.toString());
      report.writes++;
      writes.written(KIND, "patch");
      return written == null || written.getMetadata() == null ? resourceVersion
          : written.getMetadata().getResourceVersion();
    } catch (KubernetesClientException e) {
      String why = "HTTP " + e.getCode() + (e.getStatus() == null || e.getStatus().getMessage() == null ? ""
          : ": " + oneLine(e.getStatus().getMessage(), 300));
      report.lastFailure = why;
      return null;
    }
  }

  private static ObjectNode op(String op, String key, String value) {
    ObjectNode n = JSON.createObjectNode();
    n.put("op", op);
    n.put("path", "/metadata/annotations/" + key.replace("~", "~0").replace("/", "~1"));
    if (value != null) {
      n.put("value", value);
    }
    return n;
  }

  static Set<String> ownedKeys(Map<String, String> annotations) {
    String v = annotations.get(OWNED_KEYS);
    if (v == null || v.isBlank()) {
      return Set.of();
    }
    // Only keys the operator can own are ever removed, whatever the annotation says.
    return Arrays.stream(v.split(",")).map(String::trim).filter(IngressNginxAnnotations.ALL::contains)
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  private static Map<String, String> annotations(HasMetadata target) {
    Map<String, String> a = target.getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }

  private static List<? extends HasMetadata> sorted(List<? extends HasMetadata> candidates) {
    return candidates.stream().sorted(Comparator.comparing(h -> h.getMetadata().getName())).toList();
  }

  private static String describe(String key, String before, String after) {
    String k = shortKey(key);
    if (key.equals(IngressNginxAnnotations.DENYLIST_SOURCE_RANGE) || key.equals(IngressNginxAnnotations.LIMIT_ALLOWLIST)
        || key.equals(IngressNginxAnnotations.WHITELIST_SOURCE_RANGE)) {
      int n = after.split(",").length;
      int was = before == null ? 0 : before.split(",").length;
      return k + " " + n + " entries (was " + was + ")";
    }
    if (key.equals(IngressNginxAnnotations.MODSECURITY_SNIPPET)) {
      return k + " updated";
    }
    return k + "=" + after + (before == null ? "" : " (was " + abbreviate(before) + ")");
  }

  private static String shortKey(String key) {
    return key.startsWith(IngressNginxAnnotations.PREFIX) ? key.substring(IngressNginxAnnotations.PREFIX.length()) : key;
  }

  private static String abbreviate(String s) {
    String one = s.replace("\n", "\\n");
    return one.length() > 60 ? one.substring(0, 60) + "..." : one;
  }

  /** {@code s} on one line (control characters as spaces), at most {@code max} characters. */
  private static String oneLine(String s, int max) {
    return Messages.sanitize(s, max);
  }

  private static final class Report {
    final boolean dryRun;
    final List<TargetResult> targets = new ArrayList<>();
    final List<String> conflicts = new ArrayList<>();
    final List<String> notEnforceable = new ArrayList<>();
    final List<String> changes = new ArrayList<>();
    final List<String> writeFailures = new ArrayList<>();
    String lastFailure = "";
    int writes;

    Report(boolean dryRun) {
      this.dryRun = dryRun;
    }

    EnforcementReport build() {
      return new EnforcementReport(targets, conflicts, notEnforceable, changes, writes, writeFailures);
    }
  }
}
