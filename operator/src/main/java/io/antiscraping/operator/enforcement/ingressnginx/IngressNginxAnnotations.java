package io.antiscraping.operator.enforcement.ingressnginx;

import io.antiscraping.api.v1alpha1.Waf;
import io.antiscraping.operator.decision.Cidr;
import io.antiscraping.operator.decision.EnforcementPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns a plan into ingress-nginx annotations. Every value is generated here from validated numbers, enums and
 * parsed CIDRs; no string from a policy is ever copied into an annotation, so a policy cannot inject nginx or
 * SecLang configuration. The only SecLang the operator writes is the fixed lines below, and only into
 * {@code modsecurity-snippet} when snippets are allowed:
 * <pre>
 *   SecRuleEngine On|DetectionOnly
 *   SecAction "id:900000,phase:1,nolog,pass,t:none,setvar:tx.paranoia_level=N,setvar:tx.blocking_paranoia_level=N"
 * </pre>
 * The Core Rule Set itself comes from {@code enable-owasp-core-rules}: ingress-nginx loads it whenever that annotation
 * is true, snippet or not, so the snippet must not include it again (nginx rejects the duplicated rule ids).
 */
public final class IngressNginxAnnotations {

  public static final String PREFIX = "nginx.ingress.kubernetes.io/";
  public static final String LIMIT_RPS = PREFIX + "limit-rps";
  public static final String LIMIT_RPM = PREFIX + "limit-rpm";
  public static final String LIMIT_BURST_MULTIPLIER = PREFIX + "limit-burst-multiplier";
  public static final String LIMIT_CONNECTIONS = PREFIX + "limit-connections";
  public static final String LIMIT_ALLOWLIST = PREFIX + "limit-allowlist";
  public static final String DENYLIST_SOURCE_RANGE = PREFIX + "denylist-source-range";
  public static final String WHITELIST_SOURCE_RANGE = PREFIX + "whitelist-source-range";
  public static final String ENABLE_MODSECURITY = PREFIX + "enable-modsecurity";
  public static final String ENABLE_OWASP_CORE_RULES = PREFIX + "enable-owasp-core-rules";
  public static final String MODSECURITY_SNIPPET = PREFIX + "modsecurity-snippet";

  /** Every key the operator may own on an Ingress. */
  public static final List<String> ALL = List.of(LIMIT_RPS, LIMIT_RPM, LIMIT_BURST_MULTIPLIER, LIMIT_CONNECTIONS,
      LIMIT_ALLOWLIST, DENYLIST_SOURCE_RANGE, WHITELIST_SOURCE_RANGE, ENABLE_MODSECURITY, ENABLE_OWASP_CORE_RULES,
      MODSECURITY_SNIPPET);

  /** At most this many exempt clients are written into limit-allowlist or whitelist-source-range. */
  public static final int MAX_EXEMPT = 3000;
  /**
   * The only entry of whitelist-source-range during a lockdown with nobody exempt: the limited broadcast address,
   * which no client can have (an empty whitelist-source-range would restrict nothing).
   */
  static final String NOBODY = "255.255.255.255/32";

  /**
   * The annotations for a plan, what of the plan they cannot express, and caveats of what they do express.
   */
  public record Rendered(Map<String, String> annotations, List<String> notEnforceable, List<String> notes) {
    public Rendered(Map<String, String> annotations, List<String> notEnforceable) {
      this(annotations, notEnforceable, List.of());
    }
  }

  private IngressNginxAnnotations() {
  }

  /** What Kubernetes allows all of an object's annotations together: 256 KiB of keys and values. */
  public static final int MAX_TOTAL_BYTES = 256 * 1024;
  /**
   * What the operator's annotations may take of an Ingress by default: the total less 32 KiB for the Ingress's own
   * (kubectl's last-applied-configuration, GitOps bookkeeping); an Ingress whose own take more gets a smaller budget.
   */
  public static final int DEFAULT_BUDGET_BYTES = MAX_TOTAL_BYTES - 32 * 1024;

  /** The plan's annotations within {@link #DEFAULT_BUDGET_BYTES}. */
  public static Rendered render(EnforcementPlan plan, boolean allowSnippets) {
    return render(plan, allowSnippets, DEFAULT_BUDGET_BYTES);
  }

  /**
   * The plan's annotations within {@code budgetBytes} (keys and values, UTF-8). Over it, bans are dropped from the end
   * of the ban list first (denylist-source-range is the one that grows: 5000 IPv6 bans take about 220 KB), then the
   * exempt lists; what was dropped is reported as not enforceable, never silently.
   */
  public static Rendered render(EnforcementPlan plan, boolean allowSnippets, int budgetBytes) {
    Rendered full = renderAll(plan, allowSnippets);
    if (size(full.annotations()) <= budgetBytes) {
      return full;
    }
    Map<String, String> a = new TreeMap<>(full.annotations());
    List<String> notEnforceable = new ArrayList<>(full.notEnforceable());
    for (String key : List.of(DENYLIST_SOURCE_RANGE, LIMIT_ALLOWLIST, WHITELIST_SOURCE_RANGE)) {
      int over = size(a) - budgetBytes;
      String value = a.get(key);
      if (over <= 0 || value == null) {
        continue;
      }
      String[] entries = value.split(",");
      int keep = entries.length;
      int bytes = utf8(value);
      int target = bytes - over;
      while (keep > 0 && bytes > target) {
        keep--;
        bytes -= utf8(entries[keep]) + (keep > 0 ? 1 : 0);
      }
      String what = key.equals(DENYLIST_SOURCE_RANGE) ? "bans" : "exempt clients of " + key.substring(PREFIX.length());
      if (keep == 0) {
        a.remove(key);
      } else {
        a.put(key, String.join(",", java.util.Arrays.asList(entries).subList(0, keep)));
      }
      if (key.equals(WHITELIST_SOURCE_RANGE) && keep == 0) {
        a.put(key, NOBODY);
      }
      notEnforceable.add((entries.length - keep) + " of " + entries.length + " " + what + " (the Ingress's "
          + "annotations may take " + MAX_TOTAL_BYTES / 1024 + " KiB in all; the operator's budget here is "
          + budgetBytes + " bytes)");
    }
    return new Rendered(a, notEnforceable, full.notes());
  }

  /** Bytes the annotations take: keys and values, as the API server counts them. */
  public static int size(Map<String, String> annotations) {
    int n = 0;
    for (Map.Entry<String, String> e : annotations.entrySet()) {
      n += utf8(e.getKey()) + utf8(e.getValue());
    }
    return n;
  }

  private static int utf8(String s) {
    return s == null ? 0 : s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  private static Rendered renderAll(EnforcementPlan plan, boolean allowSnippets) {
    Map<String, String> a = new TreeMap<>();
    List<String> notEnforceable = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    EnforcementPlan.RateLimits r = plan.rateLimits();
    EnforcementPlan.RouteBudget budget = plan.routeBudget();
    OptionalInt rpm = r.requestsPerMinute();
    boolean perClientBudget = budget != null && !budget.lockdown() && budget.perClientRequestsPerMinute().isPresent();
    if (perClientBudget && (rpm.isEmpty() || budget.perClientRequestsPerMinute().getAsInt() < rpm.getAsInt())) {
      rpm = budget.perClientRequestsPerMinute();
    }
    put(a, LIMIT_RPS, r.requestsPerSecond());
    put(a, LIMIT_RPM, rpm);
    put(a, LIMIT_CONNECTIONS, r.connections());
    boolean limited = a.containsKey(LIMIT_RPS) || a.containsKey(LIMIT_RPM) || a.containsKey(LIMIT_CONNECTIONS);
    if (perClientBudget) {
      // The controller's burst is rate x multiplier for limit-rps and limit-rpm alike: a budget is strict.
      a.put(LIMIT_BURST_MULTIPLIER, "1");
      notes.add("routeBudget: ingress-nginx has no shared limit, so the budget is a strict per-address limit of "
          + budget.perClientRequestsPerMinute().getAsInt() + " requests/min (per controller replica, burst multiplier 1)"
          + " for every client outside the allowlist and the known-good set: it bounds the harvest per address, not"
          + " in total");
    } else if (a.containsKey(LIMIT_RPS) || a.containsKey(LIMIT_RPM)) {
      put(a, LIMIT_BURST_MULTIPLIER, r.burstMultiplier());
    }
    if (budget != null && !budget.lockdown() && budget.perClientRequestsPerMinute().isEmpty()) {
      notEnforceable.add("routeBudget " + budget.requestsPerSecond() + " requests/s (ingress-nginx has no shared "
          + "limit since controller v1.12: set routeBudget.perClientRequestsPerMinute)");
    }
    List<Cidr> exempt = budget != null ? capped(plan, notEnforceable) : plan.allowlist();
    if (limited && !exempt.isEmpty()) {
      a.put(LIMIT_ALLOWLIST, join(exempt));
    }
    if (budget != null && budget.lockdown()) {
      a.put(WHITELIST_SOURCE_RANGE, exempt.isEmpty() ? NOBODY : join(exempt));
      notes.add("lockdown: only the " + exempt.size() + " allowlisted and known-good client(s) reach these routes "
          + "(whitelist-source-range); everyone else gets 403");
    }
    if (!plan.bans().isEmpty()) {
      a.put(DENYLIST_SOURCE_RANGE, join(plan.bans()));
    }
    EnforcementPlan.WafSettings waf = plan.waf();
    if (waf.mode() != Waf.Mode.DISABLED) {
      a.put(ENABLE_MODSECURITY, "true");
      if (waf.coreRuleSet()) {
        a.put(ENABLE_OWASP_CORE_RULES, "true");
      }
      boolean needsSnippet = waf.mode() == Waf.Mode.BLOCKING || waf.paranoiaLevel().isPresent();
      if (needsSnippet && allowSnippets) {
        a.put(MODSECURITY_SNIPPET, snippet(waf));
      } else if (needsSnippet) {
        if (waf.mode() == Waf.Mode.BLOCKING) {
          notEnforceable.add("waf.mode Blocking (ingress-nginx needs the modsecurity-snippet annotation; the WAF runs "
              + "DetectionOnly: start the operator with --allow-snippet-annotations and allow snippets in the controller)");
        }
        if (waf.paranoiaLevel().isPresent()) {
          notEnforceable.add("waf.paranoiaLevel " + waf.paranoiaLevel().getAsInt()
              + " (needs the modsecurity-snippet annotation: start the operator with --allow-snippet-annotations)");
        }
      }
    }
    if (!plan.denyUserAgents().isEmpty()) {
      notEnforceable.add("denyUserAgents (" + plan.denyUserAgents().size() + " pattern(s); ingress-nginx has no "
          + "per-Ingress user-agent rule, and the operator never copies policy strings into snippets)");
    }
    return new Rendered(a, notEnforceable, notes);
  }

  /**
   * The clients exempt from the route budget: the allowlist, then the known-good clients, at most
   * {@value #MAX_EXEMPT} (the annotations stay well under the 256 KiB an object's annotations may take).
   */
  private static List<Cidr> capped(EnforcementPlan plan, List<String> notEnforceable) {
    java.util.LinkedHashSet<Cidr> out = new java.util.LinkedHashSet<>(plan.allowlist());
    int left = 0;
    for (Cidr c : plan.knownGood()) {
      if (out.contains(c)) {
        continue;
      }
      if (out.size() < MAX_EXEMPT) {
        out.add(c);
      } else {
        left++;
      }
    }
    if (out.size() > MAX_EXEMPT) {
      left += out.size() - MAX_EXEMPT;
      out = new java.util.LinkedHashSet<>(List.copyOf(out).subList(0, MAX_EXEMPT));
    }
    if (left > 0) {
      notEnforceable.add("route budget exemption of " + left + " known-good client(s) (at most " + MAX_EXEMPT
          + " exempt clients fit the annotation; they are held to the budget)");
    }
    return out.stream().sorted().toList();
  }

  private static String snippet(EnforcementPlan.WafSettings waf) {
    StringBuilder sb = new StringBuilder();
    sb.append("SecRuleEngine ").append(waf.mode() == Waf.Mode.BLOCKING ? "On" : "DetectionOnly").append('\n');
    if (waf.paranoiaLevel().isPresent()) {
      int pl = waf.paranoiaLevel().getAsInt();
      if (pl < 1 || pl > 4) {
        throw new IllegalArgumentException("paranoia level out of range: " + pl);
      }
      sb.append("SecAction \"id:900000,phase:1,nolog,pass,t:none,setvar:tx.paranoia_level=").append(pl)
          .append(",setvar:tx.blocking_paranoia_level=").append(pl).append("\"\n");
    }
    return sb.toString();
  }

  private static void put(Map<String, String> a, String key, OptionalInt value) {
    if (value.isPresent()) {
      if (value.getAsInt() < 1) {
        throw new IllegalArgumentException(key + " must be positive");
      }
      a.put(key, Integer.toString(value.getAsInt()));
    }
  }

  private static String join(List<Cidr> cidrs) {
    return cidrs.stream().map(Cidr::toString).collect(Collectors.joining(","));
  }
}
