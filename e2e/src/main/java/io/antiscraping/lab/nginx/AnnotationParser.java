package io.antiscraping.lab.nginx;

import io.antiscraping.lab.nginx.ControllerSettings.RiskLevel;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The ingress-nginx (v1.15) annotation parsers for the annotations the operator writes, rule for rule:
 *
 * <ul>
 *   <li>risk ({@code annotationParser.Validate}, before any parsing): an annotation whose risk is above
 *       {@code annotations-risk-level} refuses the whole Ingress. {@code modsecurity-snippet} is Critical,
 *       {@code denylist-source-range} and {@code allowlist-source-range} Medium, the rate-limit and ModSecurity
 *       switches Low;</li>
 *   <li>integers ({@code limit-rps}, {@code limit-rpm}, {@code limit-connections}): Go {@code strconv.Atoi} (optional
 *       sign, ASCII digits, no spaces, 64-bit range). A non-empty value that fails refuses the Ingress
 *       ({@code ratelimit.Parse} returns the validation error); an empty value counts as absent; zero or negative
 *       values set no limit;</li>
 *   <li>{@code limit-burst-multiplier}: Atoi, and any error gives the default 5;</li>
 *   <li>{@code limit-allowlist} (alias {@code limit-whitelist}, read only when the first is empty): Go
 *       {@code net.ParseCIDRs}, comma separated, each entry trimmed, a CIDR or an address; one bad entry (an empty one
 *       too, e.g. a trailing comma) refuses the Ingress;</li>
 *   <li>{@code denylist-source-range}, {@code allowlist-source-range} (alias {@code whitelist-source-range}): the same
 *       list syntax, but a bad or empty value only denies the Ingress's locations, which then answer 503;</li>
 *   <li>{@code enable-modsecurity}, {@code enable-owasp-core-rules}: Go {@code strconv.ParseBool}
 *       (1 t T TRUE true True, 0 f F FALSE false False); anything else is false;</li>
 *   <li>{@code modsecurity-snippet}: every line trimmed; dropped when {@code allow-snippet-annotations} is false.</li>
 * </ul>
 * CIDRs come out as Go prints them: the network address of a CIDR ({@code 192.0.2.7/24} becomes
 * {@code 192.0.2.0/24}), duplicates removed, sorted as strings.
 */
public final class AnnotationParser {

  public static final String PREFIX = "nginx.ingress.kubernetes.io/";
  public static final String LIMIT_RPS = PREFIX + "limit-rps";
  public static final String LIMIT_RPM = PREFIX + "limit-rpm";
  public static final String LIMIT_BURST_MULTIPLIER = PREFIX + "limit-burst-multiplier";
  public static final String LIMIT_CONNECTIONS = PREFIX + "limit-connections";
  public static final String LIMIT_ALLOWLIST = PREFIX + "limit-allowlist";
  public static final String LIMIT_WHITELIST = PREFIX + "limit-whitelist";
  public static final String DENYLIST = PREFIX + "denylist-source-range";
  public static final String ALLOWLIST = PREFIX + "allowlist-source-range";
  public static final String WHITELIST = PREFIX + "whitelist-source-range";
  public static final String ENABLE_MODSECURITY = PREFIX + "enable-modsecurity";
  public static final String ENABLE_OWASP = PREFIX + "enable-owasp-core-rules";
  public static final String MODSECURITY_SNIPPET = PREFIX + "modsecurity-snippet";

  static final int DEFAULT_BURST_MULTIPLIER = 5;

  /** Risk of the annotations the lab models (the {@code Risk} fields of each parser's annotation table). */
  static final Map<String, RiskLevel> RISK = Map.ofEntries(
      Map.entry(LIMIT_RPS, RiskLevel.LOW), Map.entry(LIMIT_RPM, RiskLevel.LOW),
      Map.entry(LIMIT_BURST_MULTIPLIER, RiskLevel.LOW), Map.entry(LIMIT_CONNECTIONS, RiskLevel.LOW),
      Map.entry(LIMIT_ALLOWLIST, RiskLevel.LOW), Map.entry(LIMIT_WHITELIST, RiskLevel.LOW),
      Map.entry(DENYLIST, RiskLevel.MEDIUM), Map.entry(ALLOWLIST, RiskLevel.MEDIUM),
      Map.entry(WHITELIST, RiskLevel.MEDIUM), Map.entry(ENABLE_MODSECURITY, RiskLevel.LOW),
      Map.entry(ENABLE_OWASP, RiskLevel.LOW), Map.entry(MODSECURITY_SNIPPET, RiskLevel.CRITICAL));

  private AnnotationParser() {}

  public static ParsedIngress parse(Ingress ingress, ControllerSettings controller) {
    Map<String, String> a = ingress.getMetadata().getAnnotations() == null ? Map.of()
        : ingress.getMetadata().getAnnotations();
    for (Map.Entry<String, String> e : a.entrySet()) {
      RiskLevel risk = RISK.get(e.getKey());
      if (risk != null && risk.compareTo(controller.annotationsRiskLevel()) > 0) {
        return new ParsedIngress.Refused(ingress, "annotation " + e.getKey() + " is too risky for environment"
            + " (risk " + risk + " above annotations-risk-level " + controller.annotationsRiskLevel() + ")");
      }
    }
    Optional<String> invalid = firstInvalidInteger(a, LIMIT_RPM, LIMIT_RPS, LIMIT_CONNECTIONS);
    if (invalid.isPresent()) {
      return new ParsedIngress.Refused(ingress, "annotation " + invalid.get() + " contains invalid value");
    }
    String limitAllowlistKey = alias(a, LIMIT_ALLOWLIST, LIMIT_WHITELIST);
    String limitAllowlistValue = a.getOrDefault(limitAllowlistKey, "");
    List<String> limitAllowlist = List.of();
    if (!limitAllowlistValue.isEmpty()) {
      Optional<List<String>> cidrs = parseCidrs(limitAllowlistValue);
      if (cidrs.isEmpty()) {
        return new ParsedIngress.Refused(ingress, "annotation " + limitAllowlistKey + " contains invalid value");
      }
      limitAllowlist = cidrs.get();
    }

    String denied = null;
    List<String> denylist = List.of();
    if (a.containsKey(DENYLIST)) {
      Optional<List<String>> cidrs = parseCidrs(normalizeString(a.get(DENYLIST)));
      if (cidrs.isEmpty() || cidrs.get().isEmpty()) {
        denied = "the annotation " + DENYLIST + " does not contain a valid IP address or network";
      } else {
        denylist = cidrs.get();
      }
    }
    List<String> allowlist = List.of();
    String allowlistKey = alias(a, ALLOWLIST, WHITELIST);
    if (a.containsKey(allowlistKey)) {
      Optional<List<String>> cidrs = parseCidrs(normalizeString(a.get(allowlistKey)));
      if (cidrs.isEmpty() || cidrs.get().isEmpty()) {
        denied = denied != null ? denied
            : "the annotation " + allowlistKey + " does not contain a valid IP address or network";
      } else {
        allowlist = cidrs.get();
      }
    }

    String snippet = a.containsKey(MODSECURITY_SNIPPET) ? normalizeString(a.get(MODSECURITY_SNIPPET)) : null;
    if (snippet != null && snippet.isEmpty()) {
      snippet = null;
    }
    boolean dropped = false;
    if (snippet != null && !controller.allowSnippetAnnotations()) {
      snippet = null; // dropSnippetDirectives: the rest of the Ingress still applies
      dropped = true;
    }
    return new ParsedIngress.Accepted(ingress, new ParsedIngress.Annotations(
        clampToInt(atoi(a.get(LIMIT_RPS)).orElse(0L)), clampToInt(atoi(a.get(LIMIT_RPM)).orElse(0L)),
        clampToInt(atoi(a.get(LIMIT_BURST_MULTIPLIER)).orElse((long) DEFAULT_BURST_MULTIPLIER)),
        clampToInt(atoi(a.get(LIMIT_CONNECTIONS)).orElse(0L)), limitAllowlist, denylist, allowlist, denied,
        parseBool(a.get(ENABLE_MODSECURITY)), parseBool(a.get(ENABLE_OWASP)), snippet, dropped));
  }

  private static Optional<String> firstInvalidInteger(Map<String, String> a, String... keys) {
    for (String key : keys) {
      String v = a.get(key);
      if (v != null && !v.isEmpty() && atoi(v).isEmpty()) {
        return Optional.of(key);
      }
    }
    return Optional.empty();
  }

  /** The controller reads an alias only when the annotation itself is absent or empty and the alias is not. */
  private static String alias(Map<String, String> a, String key, String alias) {
    return !nonEmpty(a.get(key)) && nonEmpty(a.get(alias)) ? alias : key;
  }

  private static boolean nonEmpty(String s) {
    return s != null && !s.isEmpty();
  }

  /** Go {@code strconv.Atoi} on a 64-bit platform. */
  static Optional<Long> atoi(String s) {
    if (s == null || !s.matches("[+-]?[0-9]+")) {
      return Optional.empty();
    }
    BigInteger v = new BigInteger(s.startsWith("+") ? s.substring(1) : s);
    if (v.bitLength() > 63) {
      return Optional.empty();
    }
    return Optional.of(v.longValue());
  }

  private static int clampToInt(long v) {
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
  }

  /** Go {@code strconv.ParseBool}; anything it rejects reads as false. */
  static boolean parseBool(String s) {
    return s != null && switch (s) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      default -> false;
    };
  }

  /** The controller's {@code normalizeString}: every line trimmed. */
  static String normalizeString(String s) {
    if (s == null) {
      return "";
    }
    String[] lines = s.split("\n", -1);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) {
        out.append('\n');
      }
      out.append(lines[i].strip());
    }
    return out.toString();
  }

  /**
   * Go {@code net.ParseCIDRs}: comma separated, every entry trimmed, each a CIDR (printed as its network) or an
   * address; empty for an empty string; {@link Optional#empty()} when any entry is neither.
   */
  static Optional<List<String>> parseCidrs(String s) {
    if (s == null || s.isEmpty()) {
      return Optional.of(List.of());
    }
    TreeSet<String> out = new TreeSet<>();
    for (String part : s.split(",", -1)) {
      Optional<String> c = parseCidrOrIp(part.strip());
      if (c.isEmpty()) {
        return Optional.empty();
      }
      out.add(c.get());
    }
    return Optional.of(new ArrayList<>(out));
  }

  private static Optional<String> parseCidrOrIp(String spec) {
    int slash = spec.indexOf('/');
    if (slash < 0) {
      return parseIp(spec).map(AnnotationParser::format);
    }
    Optional<byte[]> ip = parseIp(spec.substring(0, slash));
    String mask = spec.substring(slash + 1);
    if (ip.isEmpty() || !mask.matches("[0-9]{1,5}")) {
      return Optional.empty();
    }
    int bits = Integer.parseInt(mask);
    byte[] addr = ip.get();
    if (bits > addr.length * 8) {
      return Optional.empty();
    }
    for (int i = 0; i < addr.length; i++) {
      int keep = Math.max(0, Math.min(8, bits - i * 8));
      addr[i] &= (byte) (0xff << (8 - keep));
    }
    return Optional.of(format(addr) + "/" + bits);
  }

  /** Go's address syntax: dotted IPv4 without leading zeros, or IPv6 (no zone). */
  private static Optional<byte[]> parseIp(String s) {
    if (s.matches("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}")) {
      String[] p = s.split("\\.");
      byte[] out = new byte[4];
      for (int i = 0; i < 4; i++) {
        int v = Integer.parseInt(p[i]);
        if (v > 255) {
          return Optional.empty();
        }
        out[i] = (byte) v;
      }
      return Optional.of(out);
    }
    if (s.contains(":") && s.matches("[0-9A-Fa-f:.]+")) {
      try {
        InetAddress a = InetAddress.getByName(s); // a literal: no lookup
        byte[] b = a.getAddress();
        return Optional.of(b);
      } catch (UnknownHostException | IllegalArgumentException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static String format(byte[] a) {
    if (a.length == 4) {
      return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }
    try {
      return compress((Inet6Address) InetAddress.getByAddress(a));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** RFC 5952 text, as Go prints IPv6 addresses. */
  private static String compress(Inet6Address a) {
    byte[] b = a.getAddress();
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLen - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(g[i]));
    }
    return out.toString();
  }
}
