package io.antiscraping.operator.enforcement.envoygateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.antiscraping.api.v1alpha1.Waf;
import io.antiscraping.operator.decision.Cidr;
import io.antiscraping.operator.decision.EnforcementPlan;
import io.antiscraping.operator.enforcement.ApiKind;
import io.antiscraping.operator.enforcement.OwnedObjectWriter;
import io.antiscraping.operator.enforcement.OwnedObjects;
import io.antiscraping.operator.enforcement.PolicyRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;

/**
 * Turns a plan into the specs of the two Envoy Gateway policies the operator owns per ScrapingPolicy:
 * <ul>
 *   <li>a {@code BackendTrafficPolicy} with per-client local rate limit rules: one rule per prefix of the address
 *   space outside the allowlist ({@code sourceCIDR} type {@code Distinct}: one bucket per client address), so that
 *   allowlisted clients match no rule and are not limited. Envoy Gateway keeps only the last {@code sourceCIDR} of
 *   a rule (envoyproxy/gateway#10025), so an exemption cannot be written as an inverted selector next to the
 *   Distinct one; and no two rules share a selector (envoyproxy/gateway#8632).</li>
 *   <li>a {@code SecurityPolicy} whose authorization (default Allow) lets allowlisted clients through, then denies
 *   the banned CIDRs and the level's user agents (CEL {@code matches}, RE2).</li>
 * </ul>
 * Everything is generated from validated numbers, enums and parsed CIDRs, except the user-agent expressions, which
 * are embedded in CEL string literals with every quote, backslash and control character escaped.
 */
public final class EnvoyGatewayPolicies {

  public static final String GROUP = "gateway.envoyproxy.io";
  public static final String VERSION = "v1alpha1";
  public static final String GATEWAY_API_GROUP = "gateway.networking.k8s.io";
  public static final ApiKind HTTP_ROUTE = ApiKind.of(HTTPRoute.class, ApiKind.Scope.NAMESPACE);
  public static final ApiKind BACKEND_TRAFFIC_POLICY =
      ApiKind.generic(GROUP, VERSION, "BackendTrafficPolicy", "backendtrafficpolicies", ApiKind.Scope.NAMESPACE);
  /**
   * Every watched namespace: the Gateways our routes attach to, whose labels decide which SecurityPolicy
   * {@code targetSelectors} with kind Gateway select them.
   */
  public static final ApiKind GATEWAY = ApiKind.of(io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway.class,
      ApiKind.Scope.ALL_NAMESPACES);
  /** Every watched namespace: a SecurityPolicy on a Gateway in another namespace still applies to our routes. */
  public static final ApiKind SECURITY_POLICY =
      ApiKind.generic(GROUP, VERSION, "SecurityPolicy", "securitypolicies", ApiKind.Scope.ALL_NAMESPACES);

  /** Envoy Gateway accepts at most 16 local rate limit rules. */
  public static final int MAX_RULES = 16;
  static final String TRAFFIC_SUFFIX = "ratelimit";
  static final String SECURITY_SUFFIX = "deny";

  /**
   * @param rateLimitRules the local rate limit rules; empty when the level sets no request rate
   * @param authorization  the SecurityPolicy authorization; null when nothing is denied
   * @param notEnforceable what of the plan Envoy Gateway cannot express
   */
  public record Rendered(List<ObjectNode> rateLimitRules, ObjectNode authorization, List<String> notEnforceable) {
  }

  private EnvoyGatewayPolicies() {
  }

  public static String trafficPolicyName(String policyName) {
    return OwnedObjects.name(policyName, TRAFFIC_SUFFIX);
  }

  public static String securityPolicyName(String policyName) {
    return OwnedObjects.name(policyName, SECURITY_SUFFIX);
  }

  public static Rendered render(EnforcementPlan plan) {
    List<String> notEnforceable = new ArrayList<>();
    List<ObjectNode> rules = rateLimitRules(plan, notEnforceable);
    EnforcementPlan.RateLimits r = plan.rateLimits();
    r.connections().ifPresent(n -> notEnforceable.add("rateLimit.connections " + n
        + " (Envoy Gateway has no per-client connection limit)"));
    if (plan.waf().mode() != Waf.Mode.DISABLED) {
      notEnforceable.add("waf (Envoy Gateway has no built-in web application firewall or OWASP Core Rule Set)");
    }
    return new Rendered(rules, authorization(withinBudget(plan, notEnforceable)), notEnforceable);
  }

  private static List<ObjectNode> rateLimitRules(EnforcementPlan plan, List<String> notEnforceable) {
    EnforcementPlan.RateLimits r = plan.rateLimits();
    OptionalInt rate = r.requestsPerSecond().isPresent() ? r.requestsPerSecond() : r.requestsPerMinute();
    if (rate.isEmpty()) {
      return budgetRule(plan, notEnforceable).map(List::of).orElse(List.of());
    }
    String unit = r.requestsPerSecond().isPresent() ? "Second" : "Minute";
    if (r.requestsPerSecond().isPresent() && r.requestsPerMinute().isPresent()) {
      notEnforceable.add("rateLimit.requestsPerMinute " + r.requestsPerMinute().getAsInt()
          + " (Envoy Gateway takes one limit per client: requestsPerSecond " + rate.getAsInt() + " is in force)");
    }
    if (r.burstMultiplier().isPresent() && r.burstMultiplier().getAsInt() > 1) {
      notEnforceable.add("rateLimit.burstMultiplier " + r.burstMultiplier().getAsInt()
          + " (an Envoy Gateway local limit allows a burst of one " + unit.toLowerCase() + "'s requests, no more)");
    }
    // Exempt the widest allowlist entries first, as many as the rule budget allows; report the others.
    List<Cidr> exempt = new ArrayList<>();
    List<Cidr> clients = limited(exempt);
    List<String> notExempt = new ArrayList<>();
    for (Cidr c : plan.allowlist().stream().sorted(Comparator.comparingInt(Cidr::prefixLength)
        .thenComparing(Comparator.naturalOrder())).toList()) {
      exempt.add(c);
      List<Cidr> next = limited(exempt);
      if (next.size() > MAX_RULES) {
        exempt.remove(exempt.size() - 1);
        notExempt.add(c.toString());
      } else {
        clients = next;
      }
    }
    if (!notExempt.isEmpty()) {
      notEnforceable.add("allowlist exemption of " + String.join(", ", notExempt) + " (Envoy Gateway's per-client "
          + "local limit needs one rule per prefix outside the allowlist, at most " + MAX_RULES + ": these clients "
          + "are limited too; prefer fewer, wider prefixes)");
    }
    List<ObjectNode> rules = new ArrayList<>();
    budgetRule(plan, notEnforceable).ifPresent(rules::add);
    for (Cidr c : clients) {
      ObjectNode rule = OwnedObjectWriter.JSON.createObjectNode();
      rule.putArray("clientSelectors").addObject().putObject("sourceCIDR").put("type", "Distinct")
          .put("value", c.toString());
      rule.putObject("limit").put("requests", rate.getAsInt()).put("unit", unit);
      rules.add(rule);
    }
    return rules;
  }

  /**
   * The route budget as a local rate limit rule that selects every request (path prefix {@code /}): one bucket shared
   * by every client (per Envoy replica). Not a rule without a client selector: Envoy Gateway makes that the local
   * rate limit filter's default bucket, which Envoy consumes only for requests that match no other rule
   * ({@code always_consume_default_token_bucket: false}), so next to the per-client rules it would limit the
   * allowlisted clients alone (seen in Envoy Gateway v1.9.1's translator, EnvoyGatewayTranslatorIT). Envoy Gateway's
   * local limit has no exemption, so allowlisted and known-good clients count against it too (reported). A lockdown
   * is no rate: it is the SecurityPolicy's default deny.
   */
  private static java.util.Optional<ObjectNode> budgetRule(EnforcementPlan plan, List<String> notEnforceable) {
    EnforcementPlan.RouteBudget b = plan.routeBudget();
    if (b == null || b.lockdown()) {
      return java.util.Optional.empty();
    }
    ObjectNode rule = OwnedObjectWriter.JSON.createObjectNode();
    rule.putArray("clientSelectors").addObject().putObject("path").put("type", "PathPrefix").put("value", "/");
    rule.putObject("limit").put("requests", b.requestsPerSecond()).put("unit", "Second");
    if (!plan.exempt().isEmpty()) {
      notEnforceable.add("route budget exemption of " + plan.exempt().size() + " allowlisted and known-good "
          + "client(s) (the Envoy Gateway local limit shared by every request to the route has no exemption: they "
          + "share the budget)");
    }
    return java.util.Optional.of(rule);
  }

  /** The prefixes, one rule each, that cover every client outside {@code exempt}. */
  private static List<Cidr> limited(List<Cidr> exempt) {
    List<Cidr> out = new ArrayList<>(AddressSpace.complement(AddressSpace.ALL_IPV4, exempt, MAX_RULES));
    out.addAll(AddressSpace.complement(AddressSpace.ALL_IPV6, exempt, MAX_RULES));
    return out;
  }

  /**
   * The authorization: allowlisted clients first (when anything else follows that could deny them), then the bans
   * and the denied user agents; during a lockdown (a route budget of 0) the known-good clients are allowed after
   * those and the default action is Deny.
   */
  private static ObjectNode authorization(EnforcementPlan plan) {
    boolean lockdown = plan.routeBudget() != null && plan.routeBudget().lockdown();
    if (plan.bans().isEmpty() && plan.denyUserAgents().isEmpty() && !lockdown) {
      return null;
    }
    ObjectNode authorization = OwnedObjectWriter.JSON.createObjectNode();
    authorization.put("defaultAction", lockdown ? "Deny" : "Allow");
    ArrayNode rules = authorization.putArray("rules");
    if ((lockdown || !plan.denyUserAgents().isEmpty()) && !plan.allowlist().isEmpty()) {
      cidrRule(rules, "allowlisted-clients", "Allow", plan.allowlist());
    }
    if (!plan.bans().isEmpty()) {
      cidrRule(rules, "banned-clients", "Deny", plan.bans());
    }
    for (int i = 0; i < plan.denyUserAgents().size(); i++) {
      rules.addObject().put("name", "denied-user-agent-" + (i + 1)).put("action", "Deny")
          .put("cel", userAgentMatches(plan.denyUserAgents().get(i)));
    }
    if (lockdown && !plan.knownGood().isEmpty()) {
      cidrRule(rules, "known-good-clients", "Allow", plan.knownGood());
    }
    return authorization;
  }

  /**
   * The most bytes the banned CIDRs may take in the SecurityPolicy (their text): an object must stay well below what
   * etcd stores (1.5 MiB), or the API server refuses it and the last version stays in force; 5,000 IPv6 bans take
   * about 220 KB.
   */
  public static final int MAX_BAN_BYTES = 512 * 1024;

  /** The plan with its bans cut to {@link #MAX_BAN_BYTES}, the rest dropped from the end and reported. */
  private static EnforcementPlan withinBudget(EnforcementPlan plan, List<String> notEnforceable) {
    long bytes = 0;
    int keep = 0;
    for (Cidr c : plan.bans()) {
      bytes += c.toString().length() + 3;
      if (bytes > MAX_BAN_BYTES) {
        break;
      }
      keep++;
    }
    if (keep == plan.bans().size()) {
      return plan;
    }
    notEnforceable.add((plan.bans().size() - keep) + " of " + plan.bans().size() + " bans (the SecurityPolicy's "
        + "banned CIDRs may take " + MAX_BAN_BYTES / 1024 + " KiB)");
    return plan.withLists(plan.bans().subList(0, keep), plan.knownGood());
  }

  private static void cidrRule(ArrayNode rules, String name, String action, List<Cidr> cidrs) {
    ArrayNode list = rules.addObject().put("name", name).put("action", action).putObject("principal")
        .putArray("clientCIDRs");
    cidrs.forEach(c -> list.add(c.toString()));
  }

  /** A CEL expression true when the User-Agent header (empty when absent) contains a match of the RE2 pattern. */
  static String userAgentMatches(String pattern) {
    return "('user-agent' in request.headers ? request.headers['user-agent'] : '').matches('"
        + celString(pattern) + "')";
  }

  /** The body of a single-quoted CEL string literal holding {@code s}. */
  static String celString(String s) {
    StringBuilder sb = new StringBuilder();
    s.codePoints().forEach(cp -> {
      switch (cp) {
        case '\\' -> sb.append("\\\\");
        case '\'' -> sb.append("\\'");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (cp < 0x20 || cp == 0x7f) {
            sb.append(String.format("\\x%02x", cp));
          } else {
            sb.appendCodePoint(cp);
          }
        }
      }
    });
    return sb.toString();
  }

  /** The BackendTrafficPolicy spec: the rules, on the given routes, merged into any Gateway-level policy. */
  public static ObjectNode trafficSpec(List<String> routes, List<ObjectNode> rules) {
    ObjectNode spec = OwnedObjectWriter.JSON.createObjectNode();
    targetRefs(spec, routes);
    // Merge into a BackendTrafficPolicy attached to the route's Gateway instead of replacing it for these routes.
    spec.put("mergeType", "StrategicMerge");
    ArrayNode list = spec.putObject("rateLimit").putObject("local").putArray("rules");
    rules.forEach(list::add);
    return spec;
  }

  /** The SecurityPolicy spec: the authorization, on the given routes. */
  public static ObjectNode securitySpec(List<String> routes, ObjectNode authorization) {
    ObjectNode spec = OwnedObjectWriter.JSON.createObjectNode();
    targetRefs(spec, routes);
    spec.set("authorization", authorization);
    return spec;
  }

  private static void targetRefs(ObjectNode spec, List<String> routes) {
    ArrayNode refs = spec.putArray("targetRefs");
    routes.stream().sorted().forEach(r -> refs.addObject().put("group", GATEWAY_API_GROUP)
        .put("kind", "HTTPRoute").put("name", r));
  }
}
