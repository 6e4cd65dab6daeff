package io.antiscraping.operator.validation;

import io.antiscraping.api.v1alpha1.Durations;
import io.antiscraping.api.v1alpha1.EnforcementCheck;
import io.antiscraping.api.v1alpha1.KnownGood;
import io.antiscraping.api.v1alpha1.Level;
import io.antiscraping.api.v1alpha1.LevelOffenders;
import io.antiscraping.api.v1alpha1.NetworkAggregation;
import io.antiscraping.api.v1alpha1.Offenders;
import io.antiscraping.api.v1alpha1.PrefixAggregation;
import io.antiscraping.api.v1alpha1.RateLimit;
import io.antiscraping.api.v1alpha1.RouteBudget;
import io.antiscraping.api.v1alpha1.ScrapingPolicySpec;
import io.antiscraping.api.v1alpha1.Selector;
import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.api.v1alpha1.Targets;
import io.antiscraping.api.v1alpha1.Waf;
import io.antiscraping.api.v1alpha1.WhenCondition;
import io.antiscraping.operator.decision.Cidr;
import io.antiscraping.operator.decision.Sanitizer;
import io.antiscraping.operator.detection.PrometheusAccess;
import io.antiscraping.operator.detection.PrometheusEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks a policy spec before anything acts on it: everything the CRD schema and its CEL rules say (an API server
 * without them, or a test server, lets anything through), plus what a schema cannot express (CIDR syntax,
 * duration bounds). Pure: spec in, violations with field paths out.
 */
public final class PolicyValidator {

  public static final Duration MIN_EVALUATION_INTERVAL = Duration.ofSeconds(1);
  public static final Duration MAX_EVALUATION_INTERVAL = Duration.ofHours(1);
  public static final Duration MAX_BAN_UPDATE_INTERVAL = Duration.ofMinutes(10);
  public static final Duration MAX_ENFORCEMENT_CHECK_AFTER = Duration.ofHours(1);
  /** The broadest allowlist entries: /8 for IPv4 (also when written IPv4-mapped), /32 for IPv6. */
  public static final int MIN_ALLOWLIST_IPV4_PREFIX = 8;
  public static final int MIN_ALLOWLIST_IPV6_PREFIX = 32;

  private static final Pattern NAME = Pattern.compile(Signal.NAME_PATTERN);
  private static final Pattern URL = Pattern.compile("^https?://[A-Za-z0-9.\\-\\[\\]:]+(:[0-9]{1,5})?(/[^\\s]*)?$");

  /** One problem, with the path of the offending field ({@code spec.levels[1].when[0].signal}). */
  public record Violation(String path, String message) {
    @Override
    public String toString() {
      return path + ": " + message;
    }
  }

  private PolicyValidator() {
  }

  public static List<Violation> validate(ScrapingPolicySpec spec) {
    List<Violation> out = new ArrayList<>();
    if (spec == null) {
      out.add(new Violation("spec", "is required"));
      return out;
    }
    checkTargets(spec, out);
    Map<String, Signal> signals = checkSignals(spec.getSignals(), out);
    checkLevels(spec.getLevels(), signals, out);
    checkOffenders(spec.getOffenders(), signals, out);
    checkKnownGood(spec.getKnownGood(), signals, out);
    checkEnforcementCheck(spec.getEnforcementCheck(), signals, out);
    checkLevelRules(spec, out);
    checkNetworks(spec, signals, out);
    duration(spec.getBanUpdateInterval(), "spec.banUpdateInterval", out).ifPresent(d -> {
      if (d.compareTo(MAX_BAN_UPDATE_INTERVAL) > 0) {
        out.add(new Violation("spec.banUpdateInterval", "must be at most 10m, was " + spec.getBanUpdateInterval()));
      }
    });
    if (spec.getAllowlist() != null && spec.getAllowlist().getCidrs() != null) {
      List<String> cidrs = spec.getAllowlist().getCidrs();
      for (int i = 0; i < cidrs.size(); i++) {
        Optional<Cidr> cidr = Cidr.parse(cidrs.get(i)).map(Cidr::unmapIpv4);
        if (cidr.isEmpty()) {
          out.add(new Violation("spec.allowlist.cidrs[" + i + "]",
              quote(cidrs.get(i)) + " is not an IPv4/IPv6 address or CIDR"));
        } else if (cidr.get().prefixLength() < (cidr.get().ipv6() ? MIN_ALLOWLIST_IPV6_PREFIX : MIN_ALLOWLIST_IPV4_PREFIX)) {
          // An allowlist entry exempts from limits and bans and, during a lockdown, is who may still come in: a
          // prefix this broad (0.0.0.0/0, ::/0) would open a locked-down Ingress to the internet.
          out.add(new Violation("spec.allowlist.cidrs[" + i + "]", quote(cidrs.get(i)) + " is broader than /"
              + (cidr.get().ipv6() ? MIN_ALLOWLIST_IPV6_PREFIX + " (IPv6)" : MIN_ALLOWLIST_IPV4_PREFIX + " (IPv4)")
              + ": an allowlist names the clients to exempt, not the internet"));
        }
      }
    }
    duration(spec.getEvaluationInterval(), "spec.evaluationInterval", out).ifPresent(d -> {
      if (d.compareTo(MIN_EVALUATION_INTERVAL) < 0 || d.compareTo(MAX_EVALUATION_INTERVAL) > 0) {
        out.add(new Violation("spec.evaluationInterval", "must be between 1s and 1h, was " + spec.getEvaluationInterval()));
      }
    });
    duration(spec.getCooldown(), "spec.cooldown", out);
    duration(spec.getStaleAfter(), "spec.staleAfter", out);
    if (spec.getPrometheus() != null) {
      String url = spec.getPrometheus().getUrl();
      if (url != null && (url.contains("?") || url.contains("#") || url.contains("@"))) {
        // A query or fragment would neutralise the appended /api/v1/query (the operator would fetch the URL as
        // given), and userinfo would put credentials into a policy.
        out.add(new Violation("spec.prometheus.url", quote(url) + " must not have a query (?), a fragment (#) or "
            + "user information (@): give the base URL of the Prometheus HTTP API"));
      } else if (url != null && !URL.matcher(url).matches()) {
        out.add(new Violation("spec.prometheus.url", quote(url) + " is not an http(s) URL"));
      } else if (url != null) {
        // The admin's allowlist may name a path (http://thanos/tenant-a): a path that a server resolves or decodes
        // to another one (/tenant-a/../tenant-b, /tenant-a/%2e%2e/admin) would pass a prefix comparison.
        int slash = url.indexOf('/', url.indexOf("://") + 3);
        PrometheusAccess.pathProblem(slash < 0 ? "" : url.substring(slash)).ifPresent(why ->
            out.add(new Violation("spec.prometheus.url", quote(url) + ": the path " + why)));
      }
      duration(spec.getPrometheus().getTimeout(), "spec.prometheus.timeout", out).ifPresent(d -> {
        if (d.isZero() || d.compareTo(PrometheusEndpoint.MAX_TIMEOUT) > 0) {
          out.add(new Violation("spec.prometheus.timeout", "must be greater than 0 and at most 30s, was "
              + spec.getPrometheus().getTimeout()));
        }
      });
    }
    return out;
  }

  private static void checkTargets(ScrapingPolicySpec spec, List<Violation> out) {
    if (spec.getTargets() == null) {
      out.add(new Violation("spec.targets", "is required"));
      return;
    }
    Selector selector = spec.getTargets().getSelector();
    if (selector == null) {
      out.add(new Violation("spec.targets.selector", "is required (use {} to select every Ingress in the namespace)"));
      return;
    }
    List<Selector.Requirement> reqs = selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions();
    for (int i = 0; i < reqs.size(); i++) {
      Selector.Requirement r = reqs.get(i);
      String p = "spec.targets.selector.matchExpressions[" + i + "]";
      if (r.getKey() == null || r.getKey().isEmpty()) {
        out.add(new Violation(p + ".key", "is required"));
      }
      if (r.getOperator() == null) {
        out.add(new Violation(p + ".operator", "must be one of In, NotIn, Exists, DoesNotExist"));
        continue;
      }
      boolean needsValues = r.getOperator() == Selector.Operator.IN || r.getOperator() == Selector.Operator.NOT_IN;
      boolean hasValues = r.getValues() != null && !r.getValues().isEmpty();
      if (needsValues != hasValues) {
        out.add(new Violation(p + ".values", needsValues ? "In and NotIn need values" : "Exists and DoesNotExist take no values"));
      }
    }
  }

  private static Map<String, Signal> checkSignals(List<Signal> signals, List<Violation> out) {
    Map<String, Signal> byName = new HashMap<>();
    if (signals == null) {
      return byName;
    }
    for (int i = 0; i < signals.size(); i++) {
      Signal s = signals.get(i);
      String p = "spec.signals[" + i + "]";
      if (s.getName() == null || !NAME.matcher(s.getName()).matches()) {
        out.add(new Violation(p + ".name", quote(s.getName()) + " must be lowercase letters, digits and dashes"));
      } else if (byName.putIfAbsent(s.getName(), s) != null) {
        out.add(new Violation(p + ".name", "signal " + quote(s.getName()) + " is declared twice"));
      }
      if (s.getQuery() == null || s.getQuery().isBlank()) {
        out.add(new Violation(p + ".query", "is required"));
      }
      if (s.getPerClient() != null && (s.getPerClient().getLabel() == null
          || !s.getPerClient().getLabel().matches("^[a-zA-Z_][a-zA-Z0-9_]*$"))) {
        out.add(new Violation(p + ".perClient.label", quote(s.getPerClient().getLabel()) + " is not a Prometheus label name"));
      }
    }
    return byName;
  }

  private static void checkLevels(List<Level> levels, Map<String, Signal> signals, List<Violation> out) {
    if (levels == null || levels.isEmpty()) {
      out.add(new Violation("spec.levels", "needs at least one level (the baseline)"));
      return;
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < levels.size(); i++) {
      Level l = levels.get(i);
      String p = "spec.levels[" + i + "]";
      if (l.getName() == null || !NAME.matcher(l.getName()).matches()) {
        out.add(new Violation(p + ".name", quote(l.getName()) + " must be lowercase letters, digits and dashes"));
      } else if (!names.add(l.getName())) {
        out.add(new Violation(p + ".name", "level " + quote(l.getName()) + " is declared twice"));
      }
      List<WhenCondition> when = l.getWhen() == null ? List.of() : l.getWhen();
      if (i == 0 && !when.isEmpty()) {
        out.add(new Violation(p + ".when", "the first level is the baseline and must not have conditions"));
      }
      if (i > 0 && when.isEmpty()) {
        out.add(new Violation(p + ".when", "every level after the baseline needs at least one condition"));
      }
      for (int j = 0; j < when.size(); j++) {
        checkCondition(when.get(j), p + ".when[" + j + "]", signals, out);
      }
      checkRateLimit(l.getRateLimit(), p + ".rateLimit", out);
      checkWaf(l.getWaf(), p + ".waf", out);
      checkUserAgents(l.getDenyUserAgents(), p + ".denyUserAgents", out);
    }
  }

  /**
   * Best-effort RE2 check: the data plane (Envoy's CEL {@code matches}) uses RE2, which this JVM does not have, so
   * each expression must compile with java.util.regex and avoid the constructs RE2 lacks (lookaround,
   * backreferences, atomic groups, possessive quantifiers). What passes here may still be refused by RE2 in rare
   * cases (e.g. some character-class syntax); Envoy Gateway then reports the SecurityPolicy as not accepted.
   */
  private static void checkUserAgents(List<String> patterns, String p, List<Violation> out) {
    if (patterns == null) {
      return;
    }
    if (patterns.size() > 32) {
      out.add(new Violation(p, "at most 32 entries, was " + patterns.size()));
    }
    for (int i = 0; i < patterns.size(); i++) {
      String re = patterns.get(i);
      String ip = p + "[" + i + "]";
      if (re == null || re.isEmpty()) {
        out.add(new Violation(ip, "must not be empty"));
        continue;
      }
      if (re.length() > 256) {
        out.add(new Violation(ip, "at most 256 characters, was " + re.length()));
        continue;
      }
      try {
        Pattern.compile(re);
      } catch (PatternSyntaxException e) {
        out.add(new Violation(ip, quote(re) + " is not a regular expression: " + e.getDescription()
            + " near index " + e.getIndex()));
        continue;
      }
      String unsupported = notRe2(re);
      if (unsupported != null) {
        out.add(new Violation(ip, quote(re) + " uses " + unsupported + ", which RE2 does not support"));
      }
    }
  }

  /** The first construct RE2 lacks, or null. Escapes and character classes are skipped. */
  private static String notRe2(String re) {
    boolean inClass = false;
    for (int i = 0; i < re.length(); i++) {
      char c = re.charAt(i);
      if (c == '\\' && i + 1 < re.length()) {
        char n = re.charAt(i + 1);
        if (!inClass && n >= '1' && n <= '9') {
          return "a backreference (\\" + n + ")";
        }
        if (!inClass && n == 'k') {
          return "a named backreference (\\k)";
        }
        i++;
      } else if (inClass) {
        inClass = c != ']';
      } else if (c == '[') {
        inClass = true;
        if (i + 1 < re.length() && re.charAt(i + 1) == ']') {
          i++;
        }
      } else if (c == '(' && re.startsWith("(?", i)) {
        String rest = re.substring(i + 2);
        if (rest.startsWith("=") || rest.startsWith("!")) {
          return "a lookahead";
        }
        if (rest.startsWith("<=") || rest.startsWith("<!")) {
          return "a lookbehind";
        }
        if (rest.startsWith(">")) {
          return "an atomic group";
        }
      } else if (c == '+' && i > 0 && "*+?}".indexOf(re.charAt(i - 1)) >= 0 && !escaped(re, i - 1)) {
        return "a possessive quantifier";
      }
    }
    return null;
  }

  private static boolean escaped(String re, int i) {
    int backslashes = 0;
    for (int j = i - 1; j >= 0 && re.charAt(j) == '\\'; j--) {
      backslashes++;
    }
    return backslashes % 2 == 1;
  }

  private static void checkCondition(WhenCondition c, String p, Map<String, Signal> signals, List<Violation> out) {
    Signal s = signals.get(c.getSignal());
    if (s == null) {
      out.add(new Violation(p + ".signal", quote(c.getSignal()) + " is not declared in spec.signals"));
    } else if (s.getPerClient() != null) {
      out.add(new Violation(p + ".signal", quote(c.getSignal())
          + " is a per-client signal; levels need a scalar signal (per-client signals drive spec.offenders)"));
    }
    if ((c.getAbove() == null) == (c.getBelow() == null)) {
      out.add(new Violation(p, "needs exactly one of above or below"));
    }
    finite(c.getAbove(), p + ".above", out);
    finite(c.getBelow(), p + ".below", out);
    duration(c.getForDuration(), p + ".for", out);
  }

  private static void checkOffenders(Offenders o, Map<String, Signal> signals, List<Violation> out) {
    if (o == null) {
      return;
    }
    perClientSignal(o.getSignal(), "spec.offenders.signal", "offenders", signals, out);
    if (o.getAbove() == null) {
      out.add(new Violation("spec.offenders.above", "is required"));
    }
    finite(o.getAbove(), "spec.offenders.above", out);
    duration(o.getForDuration(), "spec.offenders.for", out);
    duration(o.getBanFor(), "spec.offenders.banFor", out).ifPresent(d -> {
      if (d.isZero()) {
        out.add(new Violation("spec.offenders.banFor", "must be greater than 0"));
      }
    });
    range(o.getMaxBanned(), 1, 5000, "spec.offenders.maxBanned", out);
    range(o.getIpv4PrefixLength(), 8, 32, "spec.offenders.ipv4PrefixLength", out);
    range(o.getIpv6PrefixLength(), 32, 128, "spec.offenders.ipv6PrefixLength", out);
    PrefixAggregation p = o.getPrefixes();
    if (p == null) {
      return;
    }
    String pp = "spec.offenders.prefixes";
    aggregation(pp, p.getAbove(), p.getMemberAbove(), p.getMinSuspiciousShare(), p.getMinMembers(), out);
    range(p.getIpv4PrefixLength(), PrefixAggregation.MIN_IPV4_PREFIX_LENGTH, 32, pp + ".ipv4PrefixLength", out);
    range(p.getIpv6PrefixLength(), PrefixAggregation.MIN_IPV6_PREFIX_LENGTH, 128, pp + ".ipv6PrefixLength", out);
    int own4 = o.getIpv4PrefixLength() == null ? 32 : o.getIpv4PrefixLength();
    int own6 = o.getIpv6PrefixLength() == null ? 64 : o.getIpv6PrefixLength();
    if (p.getIpv4PrefixLength() != null && p.getIpv4PrefixLength() >= own4) {
      out.add(new Violation(pp + ".ipv4PrefixLength", "must be broader (shorter) than spec.offenders.ipv4PrefixLength ("
          + own4 + "), which per-client bans already cover; was " + p.getIpv4PrefixLength()));
    }
    if (p.getIpv6PrefixLength() != null && p.getIpv6PrefixLength() >= own6) {
      out.add(new Violation(pp + ".ipv6PrefixLength", "must be broader (shorter) than spec.offenders.ipv6PrefixLength ("
          + own6 + "), which per-client bans already cover; was " + p.getIpv6PrefixLength()));
    }
    duration(p.getForDuration(), pp + ".for", out);
    duration(p.getBanFor(), pp + ".banFor", out).ifPresent(d -> {
      if (d.isZero()) {
        out.add(new Violation(pp + ".banFor", "must be greater than 0"));
      }
    });
  }

  /**
   * Network bans: per-client signals, a level above the baseline, lengths within the safety minimum and broader than
   * the prefixes' (and the per-client bans'), a purity share and bounded carve-outs.
   */
  private static void checkNetworks(ScrapingPolicySpec spec, Map<String, Signal> signals, List<Violation> out) {
    Offenders o = spec.getOffenders();
    NetworkAggregation n = o == null ? null : o.getNetworks();
    if (n == null) {
      return;
    }
    String np = "spec.offenders.networks";
    perClientSignal(n.getSignal(), np + ".signal", "network bans", signals, out);
    if (n.getShoppers() != null) {
      perClientSignal(n.getShoppers(), np + ".shoppers", "shopper carve-outs", signals, out);
    }
    List<Level> levels = spec.getLevels() == null ? List.of() : spec.getLevels();
    int from = -1;
    for (int i = 0; i < levels.size(); i++) {
      if (levels.get(i) != null && n.getFromLevel() != null && n.getFromLevel().equals(levels.get(i).getName())) {
        from = i;
        break;
      }
    }
    if (n.getFromLevel() == null) {
      out.add(new Violation(np + ".fromLevel", "is required: network bans act on the aggregate, from a level above "
          + "the baseline"));
    } else if (from < 0) {
      out.add(new Violation(np + ".fromLevel", quote(n.getFromLevel()) + " is not a level in spec.levels"));
    } else if (from == 0) {
      out.add(new Violation(np + ".fromLevel", quote(n.getFromLevel()) + " is the baseline; network bans act on the "
          + "aggregate and need a level above it"));
    }
    aggregation(np, n.getAbove(), n.getMemberAbove(), n.getMinSuspiciousShare(), n.getMinMembers(), out);
    finite(n.getShoppersAbove(), np + ".shoppersAbove", out);
    range(n.getMaxCarveOuts(), 0, NetworkAggregation.MAX_CARVE_OUTS, np + ".maxCarveOuts", out);
    range(n.getIpv4PrefixLength(), NetworkAggregation.MIN_IPV4_PREFIX_LENGTH, 31, np + ".ipv4PrefixLength", out);
    range(n.getIpv6PrefixLength(), NetworkAggregation.MIN_IPV6_PREFIX_LENGTH, 127, np + ".ipv6PrefixLength", out);
    int v4 = n.getIpv4PrefixLength() == null ? 16 : n.getIpv4PrefixLength();
    int v6 = n.getIpv6PrefixLength() == null ? 32 : n.getIpv6PrefixLength();
    PrefixAggregation p = o.getPrefixes();
    int narrower4 = p != null ? (p.getIpv4PrefixLength() == null ? 24 : p.getIpv4PrefixLength())
        : o.getIpv4PrefixLength() == null ? 32 : o.getIpv4PrefixLength();
    int narrower6 = p != null ? (p.getIpv6PrefixLength() == null ? 48 : p.getIpv6PrefixLength())
        : o.getIpv6PrefixLength() == null ? 64 : o.getIpv6PrefixLength();
    String what = p != null ? "spec.offenders.prefixes" : "spec.offenders";
    if (v4 >= narrower4) {
      out.add(new Violation(np + ".ipv4PrefixLength", "must be broader (shorter) than " + what + ".ipv4PrefixLength ("
          + narrower4 + "); was " + v4));
    }
    if (v6 >= narrower6) {
      out.add(new Violation(np + ".ipv6PrefixLength", "must be broader (shorter) than " + what + ".ipv6PrefixLength ("
          + narrower6 + "); was " + v6));
    }
    duration(n.getForDuration(), np + ".for", out);
    duration(n.getBanFor(), np + ".banFor", out).ifPresent(d -> {
      if (d.isZero()) {
        out.add(new Violation(np + ".banFor", "must be greater than 0"));
      }
    });
  }

  /** The thresholds prefixes and networks share: a required finite sum bar, a member bar, a share, a member count. */
  private static void aggregation(String path, Double above, Double memberAbove, Double share, Integer minMembers,
                                  List<Violation> out) {
    if (above == null) {
      out.add(new Violation(path + ".above", "is required"));
    }
    finite(above, path + ".above", out);
    finite(memberAbove, path + ".memberAbove", out);
    if (share != null && !(share >= 0 && share <= 1)) {
      out.add(new Violation(path + ".minSuspiciousShare", "is a share: it must be between 0 and 1, was " + share));
    }
    range(minMembers, 1, 65536, path + ".minMembers", out);
  }

  /** {@code name} must be a declared per-client signal; {@code who} is what needs it, for the message. */
  private static void perClientSignal(String name, String path, String who, Map<String, Signal> signals,
                                      List<Violation> out) {
    Signal s = signals.get(name);
    if (s == null) {
      out.add(new Violation(path, quote(name) + " is not declared in spec.signals"));
    } else if (s.getPerClient() == null) {
      out.add(new Violation(path, quote(name) + " is a scalar signal; " + who
          + " need a per-client signal (set perClient.label)"));
    }
  }

  private static void checkEnforcementCheck(EnforcementCheck k, Map<String, Signal> signals, List<Violation> out) {
    if (k == null) {
      return;
    }
    perClientSignal(k.getSignal(), "spec.enforcementCheck.signal", "served requests per client", signals, out);
    duration(k.getAfter(), "spec.enforcementCheck.after", out).ifPresent(d -> {
      if (d.compareTo(MAX_ENFORCEMENT_CHECK_AFTER) > 0) {
        out.add(new Violation("spec.enforcementCheck.after", "must be at most 1h, was " + k.getAfter()));
      }
    });
    range(k.getMinClients(), 1, EnforcementCheck.MAX_MIN_CLIENTS, "spec.enforcementCheck.minClients", out);
  }

  private static void checkKnownGood(KnownGood k, Map<String, Signal> signals, List<Violation> out) {
    if (k == null) {
      return;
    }
    perClientSignal(k.getSignal(), "spec.knownGood.signal", "known-good clients", signals, out);
    finite(k.getAbove(), "spec.knownGood.above", out);
    range(k.getMaxClients(), 1, KnownGood.MAX_CLIENTS, "spec.knownGood.maxClients", out);
  }

  /**
   * Level-scoped offender rules may only tighten the rule in force at the level below (spec.offenders for the first
   * level above the baseline), so that a higher threat level is never more lenient; route budgets must be
   * expressible on the data plane.
   */
  private static void checkLevelRules(ScrapingPolicySpec spec, List<Violation> out) {
    List<Level> levels = spec.getLevels() == null ? List.of() : spec.getLevels();
    Offenders o = spec.getOffenders();
    Double above = o == null ? null : o.getAbove();
    Duration forDuration = o == null ? null : Durations.parse(o.getForDuration()).orElse(null);
    Double prefixAbove = o == null || o.getPrefixes() == null ? null : o.getPrefixes().getAbove();
    Double memberAbove = o == null || o.getPrefixes() == null ? null
        : o.getPrefixes().getMemberAbove() == null ? 0.0 : o.getPrefixes().getMemberAbove();
    boolean nginx = spec.getTargets() == null || spec.getTargets().getProvider() == null
        || spec.getTargets().getProvider() == Targets.Provider.INGRESS_NGINX;
    for (int i = 0; i < levels.size(); i++) {
      Level l = levels.get(i);
      String p = "spec.levels[" + i + "]";
      RouteBudget b = l.getRouteBudget();
      if (b != null) {
        if (b.getRequestsPerSecond() == null) {
          out.add(new Violation(p + ".routeBudget.requestsPerSecond", "is required (0 is a lockdown)"));
        }
        range(b.getRequestsPerSecond(), 0, 1000000, p + ".routeBudget.requestsPerSecond", out);
        range(b.getPerClientRequestsPerMinute(), 1, 6000000, p + ".routeBudget.perClientRequestsPerMinute", out);
        if (nginx && b.getRequestsPerSecond() != null && b.getRequestsPerSecond() > 0
            && b.getPerClientRequestsPerMinute() == null) {
          out.add(new Violation(p + ".routeBudget.perClientRequestsPerMinute", "is required on IngressNginx for a "
              + "budget above 0: ingress-nginx has no shared limit, so the budget becomes this per-address limit"));
        }
      }
      LevelOffenders lo = l.getOffenders();
      if (lo == null) {
        continue;
      }
      String lp = p + ".offenders";
      if (i == 0) {
        out.add(new Violation(lp, "the baseline's offender rule is spec.offenders; levels[0] must not have one"));
        continue;
      }
      if (o == null) {
        out.add(new Violation(lp, "tightens spec.offenders, which is not set"));
        continue;
      }
      finite(lo.getAbove(), lp + ".above", out);
      finite(lo.getPrefixAbove(), lp + ".prefixAbove", out);
      finite(lo.getMemberAbove(), lp + ".memberAbove", out);
      duration(lo.getBanFor(), lp + ".banFor", out).ifPresent(d -> {
        if (d.isZero()) {
          out.add(new Violation(lp + ".banFor", "must be greater than 0"));
        }
      });
      Optional<Duration> f = duration(lo.getForDuration(), lp + ".for", out);
      String below = i == 1 ? "spec.offenders" : "the rule in force at the levels below";
      if (lo.getAbove() != null && above != null && lo.getAbove() > above) {
        out.add(new Violation(lp + ".above", "may only tighten " + below + ": must be at most " + above + ", was "
            + lo.getAbove()));
      }
      if (f.isPresent() && forDuration != null && f.get().compareTo(forDuration) > 0) {
        out.add(new Violation(lp + ".for", "may only tighten " + below + ": must be at most "
            + Durations.format(forDuration) + ", was " + lo.getForDuration()));
      }
      if ((lo.getPrefixAbove() != null || lo.getMemberAbove() != null) && o.getPrefixes() == null) {
        out.add(new Violation(lp, "prefixAbove and memberAbove need spec.offenders.prefixes"));
      }
      if (lo.getPrefixAbove() != null && prefixAbove != null && lo.getPrefixAbove() > prefixAbove) {
        out.add(new Violation(lp + ".prefixAbove", "may only tighten " + below + ": must be at most " + prefixAbove
            + ", was " + lo.getPrefixAbove()));
      }
      if (lo.getMemberAbove() != null && memberAbove != null && lo.getMemberAbove() > memberAbove) {
        out.add(new Violation(lp + ".memberAbove", "may only tighten " + below + ": must be at most " + memberAbove
            + ", was " + lo.getMemberAbove()));
      }
      above = tighter(above, lo.getAbove());
      forDuration = f.isPresent() && forDuration != null && f.get().compareTo(forDuration) < 0 ? f.get() : forDuration;
      prefixAbove = tighter(prefixAbove, lo.getPrefixAbove());
      memberAbove = tighter(memberAbove, lo.getMemberAbove());
    }
  }

  /** The bar in force after a level sets {@code level} (null: unset) on top of {@code inForce} (null: none). */
  private static Double tighter(Double inForce, Double level) {
    if (inForce == null || level == null) {
      return inForce;
    }
    return Math.min(inForce, level);
  }

  private static void checkRateLimit(RateLimit r, String p, List<Violation> out) {
    if (r == null) {
      return;
    }
    range(r.getRequestsPerSecond(), 1, 100000, p + ".requestsPerSecond", out);
    range(r.getRequestsPerMinute(), 1, 6000000, p + ".requestsPerMinute", out);
    range(r.getBurstMultiplier(), 1, 100, p + ".burstMultiplier", out);
    range(r.getConnections(), 1, 100000, p + ".connections", out);
  }

  private static void checkWaf(Waf w, String p, List<Violation> out) {
    if (w == null) {
      return;
    }
    boolean crs = Boolean.TRUE.equals(w.getCoreRuleSet());
    range(w.getParanoiaLevel(), 1, 4, p + ".paranoiaLevel", out);
    if (w.getParanoiaLevel() != null && !crs) {
      out.add(new Violation(p + ".paranoiaLevel", "applies to the OWASP Core Rule Set: set coreRuleSet to true"));
    }
    if (crs && (w.getMode() == null || w.getMode() == Waf.Mode.DISABLED)) {
      out.add(new Violation(p + ".coreRuleSet", "needs mode DetectionOnly or Blocking"));
    }
  }

  private static Optional<Duration> duration(String text, String path, List<Violation> out) {
    if (text == null) {
      return Optional.empty();
    }
    Optional<Duration> d = Durations.parse(text);
    if (d.isEmpty()) {
      out.add(new Violation(path, quote(text) + " is not a duration such as 30s, 2m or 1h30m"
          + (text.length() > Durations.MAX_LENGTH ? " (at most " + Durations.MAX_LENGTH + " characters)"
          : Durations.PATTERN_MATCHES.test(text) ? " (at most " + Durations.MAX.toDays() + " days)" : "")));
    }
    return d;
  }

  private static void finite(Double v, String path, List<Violation> out) {
    if (v != null && !Double.isFinite(v)) {
      out.add(new Violation(path, "must be a finite number"));
    }
  }

  private static void range(Integer v, int min, int max, String path, List<Violation> out) {
    if (v != null && (v < min || v > max)) {
      out.add(new Violation(path, "must be between " + min + " and " + max + ", was " + v));
    }
  }

  private static String quote(String s) {
    if (s == null) {
      return "<missing>";
    }
    String shown = Sanitizer.truncate(s, 83);
    return "\"" + shown.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
