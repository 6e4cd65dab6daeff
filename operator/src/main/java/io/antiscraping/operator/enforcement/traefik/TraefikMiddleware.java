package io.antiscraping.operator.enforcement.traefik;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.antiscraping.api.v1alpha1.Waf;
import io.antiscraping.operator.decision.EnforcementPlan;
import io.antiscraping.operator.enforcement.ApiKind;
import io.antiscraping.operator.enforcement.OwnedObjectWriter;
import io.antiscraping.operator.enforcement.OwnedObjects;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Turns a plan into the spec of the Traefik {@code Middleware} the operator owns per policy,
 * {@code <policy>-ratelimit}: a {@code rateLimit} per client address ({@code average} requests per {@code period},
 * a bucket of {@code burst}), IPv6 clients grouped per /64 (one subscriber). Routers reference it by name, so it
 * exists whenever the policy does: at a level without a request rate, and in a dry run, it is neutral
 * ({@code average: 0}, which Traefik reads as "no limit").
 *
 * <p>Traefik has no deny list, no per-client exemption in its rate limiter, no user-agent rule middleware and no
 * built-in WAF: those parts of a plan are reported as not enforceable, each by name.
 */
public final class TraefikMiddleware {

  public static final ApiKind MIDDLEWARE =
      ApiKind.generic("traefik.io", "v1alpha1", "Middleware", "middlewares", ApiKind.Scope.SELECTED);
  static final String SUFFIX = "ratelimit";
  /** IPv6 clients are grouped per /64: an attacker with one subscriber prefix has 2^64 addresses to rotate. */
  static final int IPV6_SUBNET = 64;
  /**
   * What the route budget keys on. Not the Host header ({@code requestHost}): Traefik routes {@code SHOP.example.com}
   * and {@code shop.example.com:443} to the same router, but its rate limiter keys on the host as sent, so each
   * spelling would get a fresh bucket. {@code X-Forwarded-Server} is set by every entry point, before routing and
   * whatever the client sent (trusted or not), to the Traefik instance's hostname: one value per replica. Traefik's
   * in-memory buckets are per replica and per router anyway, so the budget is one bucket per replica and router.
   */
  static final String BUDGET_KEY_HEADER = "X-Forwarded-Server";

  /** The spec, and what of the plan it cannot express. */
  public record Rendered(ObjectNode spec, List<String> notEnforceable) {
  }

  private TraefikMiddleware() {
  }

  public static String name(String policyName) {
    return OwnedObjects.name(policyName, SUFFIX);
  }

  /** How routers in namespace {@code namespace} name the middleware in annotations and IngressRoutes of other providers. */
  public static String reference(String namespace, String policyName) {
    return namespace + "-" + name(policyName) + "@kubernetescrd";
  }

  /** A middleware that limits nothing (dry run). */
  public static ObjectNode neutral() {
    ObjectNode spec = OwnedObjectWriter.JSON.createObjectNode();
    spec.putObject("rateLimit").put("average", 0);
    return spec;
  }

  public static Rendered render(EnforcementPlan plan) {
    List<String> notEnforceable = new ArrayList<>();
    EnforcementPlan.RateLimits r = plan.rateLimits();
    OptionalInt rate = r.requestsPerSecond().isPresent() ? r.requestsPerSecond() : r.requestsPerMinute();
    ObjectNode spec;
    EnforcementPlan.RouteBudget budget = plan.routeBudget();
    if (budget != null && budget.lockdown()) {
      notEnforceable.add("routeBudget lockdown (needs an ipAllowList middleware, which the operator does not write "
          + "for Traefik yet; the per-client limit stays in force)");
    }
    if (budget != null && !budget.lockdown()) {
      // One rateLimit per Middleware: while the budget is in force it replaces the per-client limit.
      spec = OwnedObjectWriter.JSON.createObjectNode();
      ObjectNode limit = spec.putObject("rateLimit");
      limit.put("average", budget.requestsPerSecond()).put("period", "1s").put("burst", budget.requestsPerSecond());
      limit.putObject("sourceCriterion").put("requestHeaderName", BUDGET_KEY_HEADER);
      if (rate.isPresent()) {
        notEnforceable.add("rateLimit per client (one Traefik rateLimit per middleware: the route budget of "
            + budget.requestsPerSecond() + " requests/s for everyone is in force instead)");
      }
      if (!plan.exempt().isEmpty()) {
        notEnforceable.add("route budget exemption of " + plan.exempt().size() + " allowlisted and known-good "
            + "client(s) (Traefik's rateLimit cannot exempt clients)");
      }
    } else if (rate.isEmpty()) {
      spec = neutral();
    } else {
      if (r.requestsPerSecond().isPresent() && r.requestsPerMinute().isPresent()) {
        notEnforceable.add("rateLimit.requestsPerMinute " + r.requestsPerMinute().getAsInt()
            + " (a Traefik rateLimit takes one rate: requestsPerSecond " + rate.getAsInt() + " is in force)");
      }
      long burst = (long) rate.getAsInt() * r.burstMultiplier().orElse(1);
      spec = OwnedObjectWriter.JSON.createObjectNode();
      ObjectNode limit = spec.putObject("rateLimit");
      limit.put("average", rate.getAsInt())
          .put("period", r.requestsPerSecond().isPresent() ? "1s" : "1m")
          .put("burst", burst);
      limit.putObject("sourceCriterion").putObject("ipStrategy").put("ipv6Subnet", IPV6_SUBNET);
      if (!plan.allowlist().isEmpty()) {
        notEnforceable.add("allowlist exemption (Traefik's rateLimit cannot exempt clients: the "
            + plan.allowlist().size() + " allowlisted CIDR(s) are limited too)");
      }
    }
    r.connections().ifPresent(n -> notEnforceable.add("rateLimit.connections " + n
        + " (not written: Traefik limits in-flight requests with a separate inFlightReq middleware)"));
    if (!plan.bans().isEmpty()) {
      notEnforceable.add(plan.bans().size() + " ban(s) (Traefik has no deny-list middleware; the banned clients are "
          + "listed in status.banned)");
    }
    if (!plan.denyUserAgents().isEmpty()) {
      notEnforceable.add("denyUserAgents (" + plan.denyUserAgents().size()
          + " pattern(s); Traefik has no user-agent rule middleware)");
    }
    if (plan.waf().mode() != Waf.Mode.DISABLED) {
      notEnforceable.add("waf (Traefik has no built-in web application firewall)");
    }
    return new Rendered(spec, notEnforceable);
  }
}
