package io.antiscraping.operator.detection;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how to query a Prometheus server.
 *
 * @param baseUrl     base URL of the HTTP API, e.g. {@code http://prometheus.monitoring:9090} (a path prefix such as
 *                    {@code /prometheus} is kept)
 * @param bearerToken sent as {@code Authorization: Bearer ...}; never printed, never logged
 * @param caPem       PEM bundle of the CA certificates to trust for https (default: the JVM's trust store)
 * @param timeout     for the whole query: connect, send, answer
 * @param adminListed the admin named this server (the default {@code --prometheus-url}, or an
 *                    {@code --prometheus-allowed-url} entry matches it): only then does a failure's message carry
 *                    what the server said (Prometheus's {@code error} and {@code errorType}, a redirect's
 *                    {@code Location}); for any other server it says the kind of failure and the HTTP code only,
 *                    since a policy URL may point at any JSON service
 */
public record PrometheusEndpoint(URI baseUrl, Optional<String> bearerToken, Optional<String> caPem,
                                 Duration timeout, Optional<Tenant> tenant, boolean adminListed) {

  /**
   * A request parameter naming the policy's tenant, for a tenant-scoped query proxy (prom-label-proxy's
   * {@code -label NAME}: it enforces {@code NAME="value"} on every query).
   */
  public record Tenant(String parameter, String value) {
    public Tenant {
      Objects.requireNonNull(parameter, "parameter");
      Objects.requireNonNull(value, "value");
    }
  }

  /** Not named by the admin (see {@link #adminListed}). */
  public PrometheusEndpoint(URI baseUrl, Optional<String> bearerToken, Optional<String> caPem, Duration timeout) {
    this(baseUrl, bearerToken, caPem, timeout, Optional.empty(), false);
  }

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  /** The longest query timeout: a longer one would let one policy hold a worker (and its namespace) for long. */
  public static final Duration MAX_TIMEOUT = Duration.ofSeconds(30);

  public PrometheusEndpoint {
    Objects.requireNonNull(baseUrl, "baseUrl");
    String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || baseUrl.getHost() == null) {
      throw new IllegalArgumentException("Prometheus URL must be http(s)://host[:port][/path]: " + baseUrl);
    }
    bearerToken = bearerToken == null ? Optional.empty() : bearerToken.filter(t -> !t.isBlank()).map(String::strip);
    caPem = caPem == null ? Optional.empty() : caPem.filter(p -> !p.isBlank());
    tenant = tenant == null ? Optional.empty() : tenant;
    timeout = timeout == null || timeout.isZero() || timeout.isNegative() ? DEFAULT_TIMEOUT
        : timeout.compareTo(MAX_TIMEOUT) > 0 ? MAX_TIMEOUT : timeout;
  }

  /** An endpoint without credentials, with the default timeout. */
  public static PrometheusEndpoint of(String baseUrl) {
    return new PrometheusEndpoint(URI.create(baseUrl), Optional.empty(), Optional.empty(), DEFAULT_TIMEOUT);
  }

  public PrometheusEndpoint withBearerToken(String token) {
    return new PrometheusEndpoint(baseUrl, Optional.ofNullable(token), caPem, timeout, tenant, adminListed);
  }

  public PrometheusEndpoint withCaPem(String pem) {
    return new PrometheusEndpoint(baseUrl, bearerToken, Optional.ofNullable(pem), timeout, tenant, adminListed);
  }

  public PrometheusEndpoint withTimeout(Duration t) {
    return new PrometheusEndpoint(baseUrl, bearerToken, caPem, t, tenant, adminListed);
  }

  /** Every query carries {@code parameter=value} (see {@link Tenant}). */
  public PrometheusEndpoint withTenant(String parameter, String value) {
    return new PrometheusEndpoint(baseUrl, bearerToken, caPem, timeout, Optional.of(new Tenant(parameter, value)),
        adminListed);
  }

  /** Whether the admin named this server (see {@link #adminListed}). */
  public PrometheusEndpoint withAdminListed(boolean listed) {
    return new PrometheusEndpoint(baseUrl, bearerToken, caPem, timeout, tenant, listed);
  }

  /** {@code <base>/api/v1/query}. */
  URI queryUri() {
    String base = baseUrl.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return URI.create(base + "/api/v1/query");
  }

  /** Host and port for messages (never the credentials). */
  String authority() {
    return baseUrl.getHost() + (baseUrl.getPort() >= 0 ? ":" + baseUrl.getPort() : "");
  }

  @Override
  public String toString() {
    return "PrometheusEndpoint[baseUrl=" + baseUrl + ", bearerToken=" + (bearerToken.isPresent() ? "<redacted>" : "none")
        + ", caPem=" + (caPem.isPresent() ? caPem.get().length() + " chars" : "none") + ", timeout=" + timeout + tenant.map(t -> ", tenant=" + t.parameter() + "=" + t.value()).orElse("")
        + (adminListed ? ", adminListed" : "") + "]";
  }
}
