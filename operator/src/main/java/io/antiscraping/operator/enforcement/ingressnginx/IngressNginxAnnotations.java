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
  public static final String ENABLE_MODSECURITY = PREFIX + "enable-modsecurity";
  public static final String ENABLE_OWASP_CORE_RULES = PREFIX + "enable-owasp-core-rules";
  public static final String MODSECURITY_SNIPPET = PREFIX + "modsecurity-snippet";

  /** Every key the operator may own on an Ingress. */
  public static final List<String> ALL = List.of(LIMIT_RPS, LIMIT_RPM, LIMIT_BURST_MULTIPLIER, LIMIT_CONNECTIONS,
      LIMIT_ALLOWLIST, DENYLIST_SOURCE_RANGE, ENABLE_MODSECURITY, ENABLE_OWASP_CORE_RULES, MODSECURITY_SNIPPET);

  /** The annotations for a plan, and what of the plan they cannot express. */
  public record Rendered(Map<String, String> annotations, List<String> notEnforceable) {
  }

  private IngressNginxAnnotations() {
  }

  public static Rendered render(EnforcementPlan plan, boolean allowSnippets) {
    Map<String, String> a = new TreeMap<>();
    List<String> notEnforceable = new ArrayList<>();
    EnforcementPlan.RateLimits r = plan.rateLimits();
    put(a, LIMIT_RPS, r.requestsPerSecond());
    put(a, LIMIT_RPM, r.requestsPerMinute());
    put(a, LIMIT_CONNECTIONS, r.connections());
    boolean limited = a.containsKey(LIMIT_RPS) || a.containsKey(LIMIT_RPM) || a.containsKey(LIMIT_CONNECTIONS);
    if (a.containsKey(LIMIT_RPS) || a.containsKey(LIMIT_RPM)) {
      put(a, LIMIT_BURST_MULTIPLIER, r.burstMultiplier());
    }
    if (limited && !plan.allowlist().isEmpty()) {
      a.put(LIMIT_ALLOWLIST, join(plan.allowlist()));
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
    return new Rendered(a, notEnforceable);
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
