package io.antiscraping.operator.detection;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a policy may make the operator send queries (and its credentials): the admin's rules, so that a policy author
 * cannot use the operator as a confused deputy.
 * <ul>
 *   <li>an allowlist of Prometheus URLs or hosts ({@code --prometheus-allowed-url}); empty = any host, except the
 *       special addresses below; the default Prometheus ({@code --prometheus-url}) is always allowed;</li>
 *   <li>a bearer token only over https, unless {@code --allow-bearer-token-over-http};</li>
 *   <li>after resolution, no loopback, link-local (cloud metadata services live there), unspecified or known metadata
 *       address (also embedded in a NAT64 address), unless the host is named in the allowlist (not through a
 *       wildcard).</li>
 * </ul>
 * The resolution check runs before each evaluation's queries; the HTTP client resolves again when it connects, so a
 * DNS answer that changes in between (rebinding) is not covered: the allowlist is the strong control.
 */
public final class PrometheusAccess {

  /** The label that makes a Secret usable as spec.prometheus credentials (value {@code "true"}). */
  public static final String CREDENTIALS_LABEL = "antiscraping.io/prometheus-credentials";
  /**
   * The annotation that binds a credentials Secret's bearer token to the servers it is meant for: one or more
   * allowlist entries ({@code http(s)://host[:port][/path]}, {@code host}, {@code host:port}, {@code *.domain}),
   * separated by commas or spaces. Without it, the token goes only to a server the admin named.
   */
  public static final String DESTINATION_ANNOTATION = "antiscraping.io/prometheus-url";

  /** Resolves a host name to its addresses (the JDK's resolver by default; replaceable in tests). */
  @FunctionalInterface
  public interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  /** One allowlist entry: {@code host}, {@code host:port}, {@code *.suffix} or {@code http(s)://host[:port][/path]}. */
  record Entry(String scheme, String host, int port, String path, boolean wildcard) {

    static Entry parse(String raw) {
      String s = Objects.requireNonNull(raw, "entry").strip();
      if (s.isEmpty()) {
        throw new IllegalArgumentException("empty entry");
      }
      URI u;
      boolean withScheme = s.contains("://");
      try {
        u = URI.create(withScheme ? s : "http://" + s);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a URL or host: " + raw);
      }
      String host = u.getHost();
      if (host == null && u.getRawAuthority() != null && u.getRawAuthority().startsWith("*.")) {
        host = u.getRawAuthority().split(":")[0];
      }
      if (host == null || u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
        throw new IllegalArgumentException("expected host, host:port, *.domain or http(s)://host[:port][/path]: " + raw);
      }
      String scheme = withScheme ? u.getScheme().toLowerCase(Locale.ROOT) : null;
      if (scheme != null && !scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException("only http and https URLs: " + raw);
      }
      if (!withScheme && u.getRawPath() != null && !u.getRawPath().isEmpty()) {
        throw new IllegalArgumentException("a path needs the scheme (http(s)://host/path): " + raw);
      }
      Optional<String> pathProblem = pathProblem(u.getRawPath());
      if (pathProblem.isPresent()) {
        throw new IllegalArgumentException("the path " + pathProblem.get() + ": " + raw);
      }
      boolean wildcard = host.startsWith("*.");
      int port = u.getPort();
      if (port < 0 && u.getRawAuthority() != null && wildcard && u.getRawAuthority().contains(":")) {
        port = Integer.parseInt(u.getRawAuthority().substring(u.getRawAuthority().indexOf(':') + 1));
      }
      if (scheme != null && port < 0) {
        port = scheme.equals("https") ? 443 : 80;
      }
      String path = normalPath(u.getRawPath());
      return new Entry(scheme, normalHost(wildcard ? host.substring(1) : host), port, path, wildcard);
    }

    boolean matches(URI url) {
      String scheme = url.getScheme().toLowerCase(Locale.ROOT);
      if (this.scheme != null && !this.scheme.equals(scheme)) {
        return false;
      }
      String h = normalHost(url.getHost());
      if (wildcard ? !h.endsWith(host) : !h.equals(host)) {
        return false;
      }
      if (port >= 0 && port != portOf(url)) {
        return false;
      }
      if (pathProblem(url.getRawPath()).isPresent()) {
        return false;
      }
      String p = normalPath(url.getRawPath());
      return path.isEmpty() || p.equals(path) || p.startsWith(path + "/");
    }

    /** The entry names the URL's host itself (not through a wildcard). */
    boolean names(URI url) {
      return !wildcard && matches(url);
    }
  }

  private final URI defaultUrl;
  private final List<Entry> allowed;
  private final boolean bearerTokenOverHttp;
  private final Resolver resolver;
  private final String tenantParameter;

  /**
   * @param defaultUrl          the default Prometheus, always allowed
   * @param allowed             allowlist entries (see {@link Entry}); empty = any host that passes the address check
   * @param bearerTokenOverHttp let a bearer token travel over plain http
   * @throws IllegalArgumentException naming the entry that cannot be parsed
   */
  public PrometheusAccess(URI defaultUrl, List<String> allowed, boolean bearerTokenOverHttp, Resolver resolver) {
    this.defaultUrl = defaultUrl;
    this.allowed = allowed.stream().map(Entry::parse).toList();
    this.bearerTokenOverHttp = bearerTokenOverHttp;
    this.resolver = resolver;
    this.tenantParameter = null;
  }

  private PrometheusAccess(PrometheusAccess base, String tenantParameter) {
    this.defaultUrl = base.defaultUrl;
    this.allowed = base.allowed;
    this.bearerTokenOverHttp = base.bearerTokenOverHttp;
    this.resolver = base.resolver;
    this.tenantParameter = tenantParameter;
  }

  /**
   * Sends the policy's namespace with every query as request parameter {@code parameter} (null: none), for a
   * tenant-scoped query proxy such as prom-label-proxy {@code -label namespace}.
   */
  public PrometheusAccess withTenantParameter(String parameter) {
    return new PrometheusAccess(this, parameter == null || parameter.isBlank() ? null : parameter);
  }

  /** The endpoint a policy of {@code namespace} queries through: with its tenant parameter when one is set. */
  public PrometheusEndpoint scoped(PrometheusEndpoint endpoint, String namespace) {
    return tenantParameter == null ? endpoint : endpoint.withTenant(tenantParameter, namespace);
  }

  /** Any URL but the special addresses; tokens over https only. */
  public static PrometheusAccess open(URI defaultUrl) {
    return new PrometheusAccess(defaultUrl, List.of(), false, InetAddress::getAllByName);
  }

  /** Checks an allowlist entry (for the command line); throws with the reason. */
  public static void checkEntry(String entry) {
    Entry.parse(entry);
  }

  /**
   * What the admin's rules say of a policy's URL before anything is sent: empty when allowed, else why not (the
   * policy is then Invalid: retrying cannot help).
   *
   * @param url      spec.prometheus.url (an http(s) URL without query, fragment or userinfo; null = the default)
   * @param hasToken spec.prometheus.bearerTokenSecret is set
   */
  public Optional<String> refusal(URI url, boolean hasToken) {
    URI u = url == null ? defaultUrl : url;
    Optional<String> pathProblem = pathProblem(u.getRawPath());
    if (pathProblem.isPresent()) {
      return Optional.of("url path " + pathProblem.get());
    }
    if (!isDefault(u) && !allowed.isEmpty() && allowed.stream().noneMatch(e -> e.matches(u))) {
      return Optional.of("url " + u.getScheme() + "://" + authority(u) + " is not in the operator's "
          + "allowlist of Prometheus servers (--prometheus-allowed-url); ask the cluster admin to add it or use the "
          + "default Prometheus");
    }
    if (hasToken && "http".equalsIgnoreCase(u.getScheme()) && !bearerTokenOverHttp) {
      return Optional.of("bearerTokenSecret needs an https URL: the operator does not send a token "
          + "over plain http (the admin can allow it with --allow-bearer-token-over-http)");
    }
    return Optional.empty();
  }

  /**
   * The admin named this server: it is the default Prometheus or an allowlist entry matches it (a wildcard entry
   * too). Only such a server's own words (error text, redirect target) reach a policy's status; see
   * {@link PrometheusEndpoint#adminListed}. With an empty allowlist only the default Prometheus is named.
   */
  public boolean adminListed(URI url) {
    URI u = url == null ? defaultUrl : url;
    return u != null && pathProblem(u.getRawPath()).isEmpty()
        && (isDefault(u) || allowed.stream().anyMatch(e -> e.matches(u)));
  }

  /**
   * Whether the bearer token of Secret {@code secret} may be sent to {@code url}: empty when it may, else why not.
   * The label {@link #CREDENTIALS_LABEL} says a Secret may be used as Prometheus credentials; it does not say where
   * to. So a token goes only where its Secret's {@link #DESTINATION_ANNOTATION} says (when the Secret carries it: even
   * a server the admin named is refused if the annotation names others), or, without the annotation, to a server
   * the admin named ({@link #adminListed}). Otherwise, with an empty allowlist, a policy author could have a token
   * labelled for one Prometheus sent to any https host of theirs.
   *
   * @param url          the URL the queries go to (null: the default)
   * @param secret       {@code namespace/name}, for the message
   * @param destinations the Secret's {@link #DESTINATION_ANNOTATION}, if any
   */
  public Optional<String> tokenRefusal(URI url, String secret, Optional<String> destinations) {
    URI u = url == null ? defaultUrl : url;
    String target = u.getScheme() + "://" + authority(u) + (u.getRawPath() == null ? "" : u.getRawPath());
    if (destinations.isEmpty() || destinations.get().isBlank()) {
      return adminListed(u) ? Optional.empty() : Optional.of("the bearer token of Secret " + secret
          + " is not sent to " + target + ": the Secret does not name it (annotation " + DESTINATION_ANNOTATION
          + ") and the admin does not list it (--prometheus-allowed-url); annotate the Secret with the Prometheus "
          + "URL the token is meant for");
    }
    List<Entry> named = new java.util.ArrayList<>();
    for (String raw : destinations.get().strip().split("[,\\s]+")) {
      try {
        named.add(Entry.parse(raw));
      } catch (IllegalArgumentException e) {
        return Optional.of("the annotation " + DESTINATION_ANNOTATION + " of Secret " + secret + " is not valid ("
            + io.antiscraping.operator.decision.Sanitizer.sanitize(e.getMessage(), 200)
            + "): the bearer token is not sent");
      }
    }
    if (pathProblem(u.getRawPath()).isPresent() || named.stream().noneMatch(e -> e.matches(u))) {
      return Optional.of("the bearer token of Secret " + secret + " is not sent to " + target + ": the Secret's "
          + "annotation " + DESTINATION_ANNOTATION + " names other servers");
    }
    return Optional.empty();
  }

  /**
   * The address check, run before each evaluation's queries: empty when the URL's host may be queried, else why
   * not. A host that does not resolve passes (the query then reports the unknown host).
   */
  public Optional<String> addressRefusal(URI url) {
    URI u = url == null ? defaultUrl : url;
    if (isDefault(u) || allowed.stream().anyMatch(e -> e.names(u))) {
      return Optional.empty();
    }
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(u.getHost());
    } catch (UnknownHostException | SecurityException e) {
      return Optional.empty();
    }
    for (InetAddress a : addresses) {
      String kind = special(a);
      if (kind != null) {
        return Optional.of("the Prometheus host " + u.getHost() + " resolves to " + a.getHostAddress() + ", a " + kind
            + " address: not queried (the admin can allow this host with --prometheus-allowed-url)");
      }
    }
    return Optional.empty();
  }

  /** What kind of special address this is (loopback, link-local, ...), or null for an ordinary one. */
  static String special(InetAddress a) {
    if (a.isAnyLocalAddress()) {
      return "unspecified";
    }
    if (a.isLoopbackAddress()) {
      return "loopback";
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      if (first == 0) {
        return "unspecified";
      }
      if (first == 169 && (b[1] & 0xff) == 254) {
        return "link-local (cloud metadata)";
      }
      // Alibaba Cloud's metadata service.
      if (first == 100 && (b[1] & 0xff) == 100 && (b[2] & 0xff) == 100 && (b[3] & 0xff) == 200) {
        return "cloud metadata";
      }
      return null;
    }
    if (a instanceof Inet6Address) {
      if (a.isLinkLocalAddress()) {
        return "link-local";
      }
      // AWS's IPv6 metadata service fd00:ec2::254.
      if ((b[0] & 0xff) == 0xfd && b[1] == 0 && (b[2] & 0xff) == 0x0e && (b[3] & 0xff) == 0xc2) {
        return "cloud metadata";
      }
      // Google Cloud's IPv6 metadata service fd20:ce::254.
      if ((b[0] & 0xff) == 0xfd && (b[1] & 0xff) == 0x20 && b[2] == 0 && (b[3] & 0xff) == 0xce) {
        return "cloud metadata";
      }
      // NAT64 (64:ff9b::/96, and the local-use 64:ff9b:1::/48 with the /96 layout): a NAT64 gateway forwards
      // 64:ff9b::a9fe:a9fe to 169.254.169.254, so the embedded IPv4 address is judged.
      if (b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
        boolean wellKnown = true;
        for (int i = 4; i < 12; i++) {
          wellKnown &= b[i] == 0;
        }
        boolean localUse = b[4] == 0 && b[5] == 1;
        if (wellKnown || localUse) {
          try {
            String embedded = special(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)));
            if (embedded != null) {
              return "NAT64-embedded " + embedded;
            }
          } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
          }
        }
      }
      boolean v4Compatible = true;
      for (int i = 0; i < 12; i++) {
        v4Compatible &= b[i] == 0;
      }
      if (v4Compatible) {
        return "IPv4-compatible (::/96)";
      }
    }
    return null;
  }

  private boolean isDefault(URI u) {
    return defaultUrl != null && Entry.parse(defaultUrl.getScheme() + "://" + authority(defaultUrl)).matches(u)
        && Objects.equals(normalHost(defaultUrl.getHost()), normalHost(u.getHost()));
  }

  private static String authority(URI u) {
    return u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "");
  }

  private static int portOf(URI u) {
    return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  private static String normalHost(String h) {
    String s = h.toLowerCase(Locale.ROOT);
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private static final Pattern ENCODED_DELIMITER = Pattern.compile("%(2[eEfF5]|3[fF]|23|5[cC])");
  private static final Pattern PERCENT = Pattern.compile("%([0-9a-fA-F]{2})");

  /**
   * Why a URL's raw path cannot be compared with an allowlist entry's path prefix, or empty: a dot segment
   * ({@code .}, {@code ..}, also {@code ..;x}) or a backslash, which a server or proxy resolves to another path
   * ({@code /tenant-a/../tenant-b}), or a percent-encoded {@code . / ? # \ %} ({@code %2e%2e}, {@code %2f}, {@code %252e}),
   * which one may decode into one. Such a path is never allowed.
   */
  public static Optional<String> pathProblem(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) {
      return Optional.empty();
    }
    if (rawPath.indexOf('\\') >= 0) {
      return Optional.of("must not contain a backslash");
    }
    Matcher encoded = ENCODED_DELIMITER.matcher(rawPath);
    if (encoded.find()) {
      return Optional.of("must not contain a percent-encoded . / ? # \\ or % (" + encoded.group() + ")");
    }
    for (String segment : rawPath.split("/", -1)) {
      String name = segment.contains(";") ? segment.substring(0, segment.indexOf(';')) : segment;
      if (name.equals(".") || name.equals("..")) {
        return Optional.of("must not contain a dot segment (/./ or /../)");
      }
    }
    return Optional.empty();
  }

  /**
   * A path as compared: repeated slashes as one, without trailing slashes, percent-encoded unreserved characters
   * decoded and the other escapes in upper case (RFC 3986 normalisation; the path has no {@link #pathProblem}).
   */
  static String normalPath(String rawPath) {
    if (rawPath == null) {
      return "";
    }
    Matcher m = PERCENT.matcher(rawPath.replaceAll("/{2,}", "/"));
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      char c = (char) Integer.parseInt(m.group(1), 16);
      boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '~';
      m.appendReplacement(out, Matcher.quoteReplacement(unreserved ? String.valueOf(c)
          : "%" + m.group(1).toUpperCase(Locale.ROOT)));
    }
    m.appendTail(out);
    String s = out.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }
}
