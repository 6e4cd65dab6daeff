package io.antiscraping.operator.enforcement.ingressnginx;

import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.operator.decision.EnforcementPlan;
import io.antiscraping.operator.enforcement.ApiKind;
import io.antiscraping.operator.decision.Sanitizer;
import io.antiscraping.operator.enforcement.ApiWriteListener;
import io.antiscraping.operator.enforcement.EnforcementReport;
import io.antiscraping.operator.enforcement.EnforcementReport.TargetResult;
import io.antiscraping.operator.enforcement.Enforcer;
import io.antiscraping.operator.enforcement.OwnedObjectWriter;
import io.antiscraping.operator.enforcement.PolicyRef;
import io.antiscraping.operator.enforcement.TargetArbiter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * ingress-nginx has no policy object of its own, so the operator sets annotations on the selected Ingresses by
 * server-side apply (field manager {@value Enforcer#FIELD_MANAGER}): each apply holds every annotation the operator
 * wants there, {@value #OWNER} naming the policy among them; the API server's managedFields record which keys are
 * the operator's, so an annotation left out is removed by the server and a key another manager holds is never
 * touched. A key someone else set to another value is a Conflict naming that manager, unless the policy sets
 * {@code targets.overrideExisting} and an admin labelled the Ingress {@value OwnedObjectWriter#ALLOW_OVERRIDE_LABEL}
 * {@code "true"} (the apply is then forced). Access control and the WAF's own rules ({@link #NEVER_FORCED}) are never
 * taken over: another manager's value there is always a Conflict.
 */
public final class IngressNginxEnforcer implements Enforcer {

  public static final String OWNER = "antiscraping.io/policy";
  static final String KIND = "Ingress";
  private static final ApiKind INGRESS = ApiKind.of(Ingress.class, ApiKind.Scope.SELECTED);
  /**
   * Keys the operator never forces, whatever the policy and the Ingress's labels say: who may reach the Ingress at
   * all and the WAF's rule engine belong to whoever set them (a security team), and an apply that took them over
   * would also delete them when the operator no longer wants them.
   */
  static final Set<String> NEVER_FORCED = Set.of(IngressNginxAnnotations.WHITELIST_SOURCE_RANGE,
      IngressNginxAnnotations.DENYLIST_SOURCE_RANGE, IngressNginxAnnotations.MODSECURITY_SNIPPET);

  private final OwnedObjectWriter writer;
  private final boolean allowSnippets;

  public IngressNginxEnforcer(KubernetesClient client, boolean allowSnippets, ApiWriteListener writes) {
    this.writer = new OwnedObjectWriter(client, writes);
    this.allowSnippets = allowSnippets;
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
      IngressNginxAnnotations.Rendered rendered = withinBudget(plan, planned, target);
      rendered.notEnforceable().stream().filter(n -> !report.notEnforceable.contains(n))
          .forEach(n -> report.notEnforceable.add("Ingress " + name + ": " + n));
      boolean selected = policy.selector().matches(target.getMetadata().getLabels());
      if (!selected) {
        if (ownedBy(target, policy.name())) {
          release(target, report, "no longer selected by policy " + policy.name());
        }
        continue;
      }
      Optional<TargetArbiter.Lost> lost = TargetArbiter.lost(policy, competing, target, KIND);
      if (lost.isPresent()) {
        report.conflicts.add(lost.get().why());
        report.targets.add(new TargetResult(KIND, name, false, lost.get().why()));
        if (ownedBy(target, policy.name())) {
          release(target, report, "handed over to policy " + lost.get().winner().name());
        }
        continue;
      }
      Set<String> owned = ownedKeys(target);
      List<String> foreign = rendered.annotations().entrySet().stream()
          .filter(e -> current.containsKey(e.getKey()) && !owned.contains(e.getKey())
              && !e.getValue().equals(current.get(e.getKey())))
          .map(Map.Entry::getKey).sorted().toList();
      boolean mayForce = mayForce(policy, target);
      List<String> blocking = foreign.stream().filter(k -> !mayForce || NEVER_FORCED.contains(k)).toList();
      if (!blocking.isEmpty()) {
        String why = "Ingress " + name + ": " + blocking.stream()
            .map(k -> k + " is already set by " + managedBy(target, k) + " (\"" + oneLine(current.get(k), 63) + "\")")
            .collect(Collectors.joining(", "))
            + "; " + howToResolve(policy, target, blocking);
        report.conflicts.add(why);
        report.targets.add(new TargetResult(KIND, name, false, why));
        continue;
      }
      Map<String, String> wanted = new TreeMap<>(rendered.annotations());
      if (!wanted.isEmpty()) {
        wanted.put(OWNER, policy.name());
      }
      List<String> described = new ArrayList<>();
      rendered.annotations().forEach((k, v) -> {
        if (!v.equals(current.get(k))) {
          described.add(describe(k, current.get(k), v));
        }
      });
      for (String k : owned) {
        if (!wanted.containsKey(k) && current.containsKey(k) && !k.equals(OWNER)) {
          described.add(shortKey(k) + " removed");
        }
      }
      boolean changed = wanted.entrySet().stream().anyMatch(e -> !e.getValue().equals(current.get(e.getKey())))
          || owned.stream().anyMatch(k -> !wanted.containsKey(k) && current.containsKey(k));
      if (changed) {
        // A new snippet goes in an apply of its own after the rest (which keeps the snippet in force): a controller
        // that refuses snippets then refuses only the snippet, never the limits and bans beside it.
        String snippetKey = IngressNginxAnnotations.MODSECURITY_SNIPPET;
        String snippetNow = owned.contains(snippetKey) ? current.get(snippetKey) : null;
        boolean snippetChanges = wanted.get(snippetKey) != null && !wanted.get(snippetKey).equals(snippetNow);
        String failed = null;
        if (snippetChanges) {
          Map<String, String> rest = new TreeMap<>(wanted);
          rest.remove(snippetKey);
          if (snippetNow != null) {
            rest.put(snippetKey, snippetNow);
          }
          if (!rest.equals(annotationsOwnedNow(current, owned)) && !apply(target, rest, policy, report)) {
            failed = "the limits, bans and WAF settings";
          }
          if (failed == null && !apply(target, wanted, policy, report)) {
            failed = "the modsecurity-snippet (the limits and bans are written)";
          }
        } else if (!apply(target, wanted, policy, report)) {
          failed = "the limits, bans and WAF settings";
        }
        if (failed != null) {
          if (report.lastConflict != null) {
            String why = "Ingress " + name + ": " + report.lastConflict
                + "; " + howToResolve(policy, target, report.lastConflictKeys);
            report.conflicts.add(why);
            report.targets.add(new TargetResult(KIND, name, false, why));
            continue;
          }
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
                                                        HasMetadata target) {
    Set<String> owned = ownedKeys(target);
    Map<String, String> theirs = new java.util.HashMap<>(annotations(target));
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

  /** Removes every annotation the operator's applies hold: an apply without any. */
  private void release(HasMetadata target, Report report, String why) {
    if (ownedKeys(target).isEmpty() && !annotations(target).containsKey(OWNER)) {
      return;
    }
    if (apply(target, Map.of(), null, report)) {
      report.changes.add("Ingress " + target.getMetadata().getName() + ": operator annotations removed (" + why + ")");
    } else {
      report.writeFailures.add("Ingress " + target.getMetadata().getName() + ": removing the operator's annotations "
          + "failed: " + (report.lastConflict != null ? report.lastConflict : report.lastFailure));
    }
  }

  /** The annotations the operator's applies hold now, with their values. */
  private static Map<String, String> annotationsOwnedNow(Map<String, String> current, Set<String> owned) {
    Map<String, String> out = new TreeMap<>();
    owned.stream().filter(current::containsKey).forEach(k -> out.put(k, current.get(k)));
    return out;
  }

  /**
   * Applies {@code annotations} as every annotation the operator wants on the Ingress (server-side apply, forced
   * when {@link #mayForce}, never over another manager's {@link #NEVER_FORCED} key). A refusal or a conflict is this target's failure only: it is
   * recorded in the report and the next targets are still written.
   *
   * @return whether the API server accepted it (always, in a dry run)
   */
  private boolean apply(HasMetadata target, Map<String, String> annotations, PolicyRef policy, Report report) {
    if (report.dryRun) {
      return true;
    }
    report.lastConflict = null;
    report.lastConflictKeys = List.of();
    try {
      OwnedObjectWriter.Applied applied = writer.applyAnnotations(INGRESS, target, annotations,
          mayForce(policy, target), NEVER_FORCED);
      if (applied.outcome() == OwnedObjectWriter.Outcome.CONFLICT) {
        report.lastConflict = applied.conflict();
        report.lastConflictKeys = NEVER_FORCED.stream().filter(k -> applied.conflict().contains(k)).sorted().toList();
        return false;
      }
      report.writes++;
      return true;
    } catch (KubernetesClientException e) {
      String why = "HTTP " + e.getCode() + (e.getStatus() == null || e.getStatus().getMessage() == null ? ""
          : ": " + oneLine(e.getStatus().getMessage(), 300));
      report.lastFailure = why;
      return false;
    }
  }

  /**
   * Whether the apply on this Ingress may be forced: the policy asks for it ({@code targets.overrideExisting}) and
   * the admin allowed it on this Ingress (label {@value OwnedObjectWriter#ALLOW_OVERRIDE_LABEL}). Even then the
   * keys of {@link #NEVER_FORCED} are not.
   */
  static boolean mayForce(PolicyRef policy, HasMetadata target) {
    return policy != null && policy.overrideExisting() && OwnedObjectWriter.overrideAllowed(target);
  }

  /** What the user can do about a conflict on {@code keys}, for the Conflict condition. */
  private static String howToResolve(PolicyRef policy, HasMetadata target, List<String> keys) {
    List<String> never = keys.stream().filter(NEVER_FORCED::contains).map(IngressNginxEnforcer::shortKey).toList();
    if (!never.isEmpty()) {
      return "the operator never takes over " + String.join(", ", never) + " (access control and WAF rules stay "
          + "with whoever set them): remove it to let the policy write it";
    }
    String label = OwnedObjectWriter.ALLOW_OVERRIDE_LABEL + "=true";
    if (policy.overrideExisting() && !OwnedObjectWriter.overrideAllowed(target)) {
      return "spec.targets.overrideExisting takes effect only on an Ingress an admin labelled " + label
          + "; remove it, or have the Ingress labelled";
    }
    return "remove it, or set spec.targets.overrideExisting and have an admin label the Ingress " + label
        + " to let the policy take it over";
  }

  /** Who else holds an annotation, from the object's managedFields ("kubectl-annotate"), for a Conflict. */
  private static String managedBy(HasMetadata target, String key) {
    List<String> managers = OwnedObjectWriter.otherManagers(target, key);
    return managers.isEmpty() ? "someone else" : String.join(" and ", managers);
  }

  /**
   * The annotations the operator may change or remove without a conflict: the ones its applies hold
   * (managedFields), limited to the keys it can own and its bookkeeping.
   */
  static Set<String> ownedKeys(HasMetadata target) {
    return OwnedObjectWriter.appliedAnnotations(target).stream()
        .filter(k -> IngressNginxAnnotations.ALL.contains(k) || k.equals(OWNER))
        .collect(Collectors.toCollection(TreeSet::new));
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
    return k + "=" + after + (before == null ? "" : " (was " + oneLine(before, 63) + ")");
  }

  private static String shortKey(String key) {
    return key.startsWith(IngressNginxAnnotations.PREFIX) ? key.substring(IngressNginxAnnotations.PREFIX.length()) : key;
  }

  /** {@code s} on one line (control characters as spaces), at most {@code max} characters. */
  private static String oneLine(String s, int max) {
    return Sanitizer.sanitize(s, max);
  }

  private static final class Report {
    final boolean dryRun;
    final List<TargetResult> targets = new ArrayList<>();
    final List<String> conflicts = new ArrayList<>();
    final List<String> notEnforceable = new ArrayList<>();
    final List<String> changes = new ArrayList<>();
    final List<String> writeFailures = new ArrayList<>();
    String lastFailure = "";
    /** The conflict of the last apply, null when it had none. */
    String lastConflict;
    /** The keys of {@link #NEVER_FORCED} that conflict names. */
    List<String> lastConflictKeys = List.of();
    int writes;

    Report(boolean dryRun) {
      this.dryRun = dryRun;
    }

    EnforcementReport build() {
      return new EnforcementReport(targets, conflicts, notEnforceable, changes, writes, writeFailures);
    }
  }
}
