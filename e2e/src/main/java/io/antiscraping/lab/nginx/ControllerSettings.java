package io.antiscraping.lab.nginx;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;

/**
 * What the lab's ingress controller models of an ingress-nginx (v1.15) installation: its ConfigMap keys, its command
 * line flags and its Deployment. {@link #controllerDefaults()} holds the controller's own defaults
 * ({@code internal/ingress/controller/config/config.go} {@code NewDefault}, {@code cmd/nginx/flags.go}); the lab runs
 * {@link #operatorRequirements(List)}: those defaults plus the ConfigMap the operator's results assume.
 *
 * @param limitReqStatusCode      ConfigMap {@code limit-req-status-code} (default 503), rendered as {@code limit_req_status}
 * @param limitConnStatusCode     ConfigMap {@code limit-conn-status-code} (default 503), rendered as {@code limit_conn_status}
 * @param useForwardedHeaders     ConfigMap {@code use-forwarded-headers} (default false): take the client address from
 *                                {@link #forwardedForHeader()} when the peer is in {@link #proxyRealIpCidr()}
 * @param enableRealIp            ConfigMap {@code enable-real-ip} (default false): the same realip directives without
 *                                the other forwarded headers
 * @param forwardedForHeader      ConfigMap {@code forwarded-for-header} (default {@code X-Forwarded-For})
 * @param proxyRealIpCidr         ConfigMap {@code proxy-real-ip-cidr} (default {@code 0.0.0.0/0}: any peer is trusted)
 * @param allowSnippetAnnotations ConfigMap {@code allow-snippet-annotations} (default false)
 * @param annotationsRiskLevel    ConfigMap {@code annotations-risk-level} (default High): annotations of a higher risk
 *                                make the controller refuse the whole Ingress
 * @param syncRateLimit           flag {@code --sync-rate-limit} (default 0.3 syncs per second, token bucket of 1)
 * @param replicas                controller pods behind the load balancer; each has its own nginx and its own limits
 */
public record ControllerSettings(int limitReqStatusCode, int limitConnStatusCode, boolean useForwardedHeaders,
    boolean enableRealIp, String forwardedForHeader, List<String> proxyRealIpCidr, boolean allowSnippetAnnotations,
    RiskLevel annotationsRiskLevel, double syncRateLimit, int replicas) {

  /** The controller's annotation risk levels ({@code internal/ingress/annotations/parser/validators.go}). */
  public enum RiskLevel {
    LOW, MEDIUM, HIGH, CRITICAL;

    /** As the controller reads the ConfigMap value ({@code parser.StringRiskToRisk}): unknown values are Low. */
    public static RiskLevel parse(String value) {
      if (value == null) {
        return LOW;
      }
      return switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "critical" -> CRITICAL;
        case "high" -> HIGH;
        case "medium" -> MEDIUM;
        default -> LOW;
      };
    }
  }

  public ControllerSettings {
    Objects.requireNonNull(forwardedForHeader, "forwardedForHeader");
    Objects.requireNonNull(annotationsRiskLevel, "annotationsRiskLevel");
    proxyRealIpCidr = List.copyOf(proxyRealIpCidr);
    if (replicas < 1) {
      throw new IllegalArgumentException("replicas must be at least 1");
    }
    if (!(syncRateLimit > 0)) {
      throw new IllegalArgumentException("syncRateLimit must be positive");
    }
  }

  /** ingress-nginx v1.15 out of the box (one replica is the chart's {@code controller.replicaCount} default). */
  public static ControllerSettings controllerDefaults() {
    return new ControllerSettings(503, 503, false, false, "X-Forwarded-For", List.of("0.0.0.0/0"), false,
        RiskLevel.HIGH, 0.3, 1);
  }

  /**
   * The controller's defaults with what the operator's results assume: client addresses from X-Forwarded-For trusted
   * from the load balancer's ranges only, snippets allowed up to Critical risk (the operator's
   * {@code --allow-snippet-annotations}), and two replicas, as production runs.
   */
  public static ControllerSettings operatorRequirements(List<String> loadBalancerCidrs) {
    return controllerDefaults().withRealIp(true, loadBalancerCidrs).withSnippets(true, RiskLevel.CRITICAL)
        .withReplicas(2);
  }

  /**
   * The controller's ConfigMap {@code data} over {@code base}, for the keys this type models (others are ignored, as
   * this lab has no use for them). Booleans and integers are read as the controller's {@code mapstructure} decoding
   * with weak typing reads them; {@code proxy-real-ip-cidr} is comma separated.
   */
  public static ControllerSettings fromConfigMap(Map<String, String> data, ControllerSettings base) {
    ControllerSettings c = base;
    if (data == null) {
      return c;
    }
    int req = intOr(data.get("limit-req-status-code"), c.limitReqStatusCode());
    int conn = intOr(data.get("limit-conn-status-code"), c.limitConnStatusCode());
    c = c.withLimitStatus(req, conn);
    boolean forwarded = boolOr(data.get("use-forwarded-headers"), c.useForwardedHeaders());
    List<String> cidrs = data.containsKey("proxy-real-ip-cidr")
        ? Arrays.stream(data.get("proxy-real-ip-cidr").split(",")).map(String::strip).filter(x -> !x.isEmpty())
            .toList()
        : c.proxyRealIpCidr();
    c = c.withRealIp(forwarded, cidrs);
    c = new ControllerSettings(c.limitReqStatusCode(), c.limitConnStatusCode(), c.useForwardedHeaders(),
        boolOr(data.get("enable-real-ip"), c.enableRealIp()),
        data.getOrDefault("forwarded-for-header", c.forwardedForHeader()), c.proxyRealIpCidr(),
        c.allowSnippetAnnotations(), c.annotationsRiskLevel(), c.syncRateLimit(), c.replicas());
    boolean snippets = boolOr(data.get("allow-snippet-annotations"), c.allowSnippetAnnotations());
    RiskLevel risk = data.containsKey("annotations-risk-level") ? RiskLevel.parse(data.get("annotations-risk-level"))
        : c.annotationsRiskLevel();
    return c.withSnippets(snippets, risk);
  }

  private static int intOr(String s, int otherwise) {
    if (s == null) {
      return otherwise;
    }
    try {
      return Integer.parseInt(s.strip());
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  private static boolean boolOr(String s, boolean otherwise) {
    if (s == null) {
      return otherwise;
    }
    return switch (s.strip()) {
      case "1", "t", "T", "TRUE", "true", "True" -> true;
      case "0", "f", "F", "FALSE", "false", "False", "" -> false;
      default -> otherwise;
    };
  }

  /** Whether nginx's realip module is configured (the template's {@code use-forwarded-headers or enable-real-ip}). */
  public boolean realIpEnabled() {
    return useForwardedHeaders || enableRealIp;
  }

  /** Shortest time between two syncs once the token bucket (burst 1) is empty. */
  public Duration syncInterval() {
    return Duration.ofNanos((long) (1_000_000_000L / syncRateLimit));
  }

  public ControllerSettings withLimitStatus(int req, int conn) {
    return new ControllerSettings(req, conn, useForwardedHeaders, enableRealIp, forwardedForHeader, proxyRealIpCidr,
        allowSnippetAnnotations, annotationsRiskLevel, syncRateLimit, replicas);
  }

  public ControllerSettings withRealIp(boolean useForwarded, List<String> trusted) {
    return new ControllerSettings(limitReqStatusCode, limitConnStatusCode, useForwarded, enableRealIp,
        forwardedForHeader, trusted, allowSnippetAnnotations, annotationsRiskLevel, syncRateLimit, replicas);
  }

  public ControllerSettings withSnippets(boolean allow, RiskLevel risk) {
    return new ControllerSettings(limitReqStatusCode, limitConnStatusCode, useForwardedHeaders, enableRealIp,
        forwardedForHeader, proxyRealIpCidr, allow, risk, syncRateLimit, replicas);
  }

  public ControllerSettings withSyncRateLimit(double perSecond) {
    return new ControllerSettings(limitReqStatusCode, limitConnStatusCode, useForwardedHeaders, enableRealIp,
        forwardedForHeader, proxyRealIpCidr, allowSnippetAnnotations, annotationsRiskLevel, perSecond, replicas);
  }

  public ControllerSettings withReplicas(int n) {
    return new ControllerSettings(limitReqStatusCode, limitConnStatusCode, useForwardedHeaders, enableRealIp,
        forwardedForHeader, proxyRealIpCidr, allowSnippetAnnotations, annotationsRiskLevel, syncRateLimit, n);
  }
}
