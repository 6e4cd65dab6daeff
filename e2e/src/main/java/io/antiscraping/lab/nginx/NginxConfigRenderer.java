package io.antiscraping.lab.nginx;

import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders Ingress objects into an nginx.conf the way ingress-nginx (v1.15, {@code rootfs/etc/nginx/template/nginx.tmpl})
 * does for the annotations the operator writes, after {@link AnnotationParser} has parsed them as the controller's
 * parsers do. Pure: the same Ingresses and settings give the same text, nothing is read or written.
 *
 * <ul>
 *   <li>http level: {@code limit_req_status}/{@code limit_conn_status} from {@code limit-req-status-code} /
 *       {@code limit-conn-status-code} (default 503), and the realip directives only when
 *       {@code use-forwarded-headers} or {@code enable-real-ip} is on ({@code real_ip_header},
 *       {@code real_ip_recursive on}, one {@code set_real_ip_from} per {@code proxy-real-ip-cidr} entry);</li>
 *   <li>{@code limit-rps}/{@code limit-rpm}: one {@code limit_req_zone} per Ingress and unit, keyed on the client
 *       address, with {@code limit-allowlist} addresses mapped to an empty key ({@code geo} + {@code map}), and
 *       {@code limit_req zone=... burst=<limit x limit-burst-multiplier (default 5)> nodelay} in each location;
 *       {@code limit-connections}: {@code limit_conn_zone} + {@code limit_conn}; limits of zero or below are not
 *       rendered;</li>
 *   <li>in each location, in the template's order: the ModSecurity directives ({@code buildModSecurityForLocation});
 *       then either {@code return 503} when a source-range annotation could not be parsed ("Location denied"), or
 *       one {@code deny} per {@code denylist-source-range} entry, {@code allow} per
 *       {@code allowlist-source-range}/{@code whitelist-source-range} entry followed by {@code deny all} (403), the
 *       rate limits and the proxy directives;</li>
 *   <li>an Ingress the controller refuses (see {@link AnnotationParser}) is left out: for a controller that starts
 *       from these objects, it does not exist.</li>
 * </ul>
 */
public final class NginxConfigRenderer {

  public static final String PREFIX = AnnotationParser.PREFIX;
  public static final String LIMIT_RPS = AnnotationParser.LIMIT_RPS;
  public static final String LIMIT_RPM = AnnotationParser.LIMIT_RPM;
  public static final String LIMIT_BURST_MULTIPLIER = AnnotationParser.LIMIT_BURST_MULTIPLIER;
  public static final String LIMIT_CONNECTIONS = AnnotationParser.LIMIT_CONNECTIONS;
  public static final String LIMIT_ALLOWLIST = AnnotationParser.LIMIT_ALLOWLIST;
  public static final String DENYLIST = AnnotationParser.DENYLIST;
  public static final String WHITELIST = AnnotationParser.WHITELIST;
  public static final String ENABLE_MODSECURITY = AnnotationParser.ENABLE_MODSECURITY;
  public static final String ENABLE_OWASP = AnnotationParser.ENABLE_OWASP;
  public static final String MODSECURITY_SNIPPET = AnnotationParser.MODSECURITY_SNIPPET;

  private NginxConfigRenderer() {}

  /** One path of one Ingress, with the settings its annotations ask for. */
  record Location(String host, String path, String pathType, String ingressId, ParsedIngress.Annotations limits,
      String backend) {}

  /** Parses {@code ingresses} as a controller starting from them would, and renders the ones it accepts. */
  public static String render(List<Ingress> ingresses, NginxSettings settings) {
    List<ParsedIngress.Accepted> accepted = new ArrayList<>();
    for (Ingress ingress : ingresses) {
      if (AnnotationParser.parse(ingress, settings.controller()) instanceof ParsedIngress.Accepted a) {
        accepted.add(a);
      }
    }
    return renderParsed(accepted, settings);
  }

  /** Renders Ingresses already parsed (the controller's store). */
  public static String renderParsed(List<ParsedIngress.Accepted> ingresses, NginxSettings settings) {
    List<ParsedIngress.Accepted> sorted = new ArrayList<>(ingresses);
    sorted.sort(Comparator.comparing((ParsedIngress.Accepted i) -> ns(i.ingress()))
        .thenComparing(i -> i.ingress().getMetadata().getName()));
    ControllerSettings controller = settings.controller();

    Map<String, ParsedIngress.Annotations> limitsById = new LinkedHashMap<>();
    Map<String, List<Location>> byHost = new TreeMap<>();
    for (ParsedIngress.Accepted parsed : sorted) {
      Ingress ingress = parsed.ingress();
      String id = ingressId(ingress);
      ParsedIngress.Annotations limits = parsed.annotations();
      limitsById.put(id, limits);
      if (ingress.getSpec() == null || ingress.getSpec().getRules() == null) {
        continue;
      }
      for (IngressRule rule : ingress.getSpec().getRules()) {
        String host = rule.getHost() == null || rule.getHost().isBlank() ? "_" : rule.getHost();
        if (rule.getHttp() == null || rule.getHttp().getPaths() == null) {
          continue;
        }
        for (HTTPIngressPath p : rule.getHttp().getPaths()) {
          String path = p.getPath() == null || p.getPath().isBlank() ? "/" : p.getPath();
          String type = p.getPathType() == null ? "Prefix" : p.getPathType();
          byHost.computeIfAbsent(host, h -> new ArrayList<>())
              .add(new Location(host, path, type, id, limits, backend(p.getBackend(), settings)));
        }
      }
    }

    StringBuilder out = new StringBuilder();
    out.append("# Generated by the antiscraping lab controller from Ingress objects. Do not edit.\n");
    out.append("load_module ").append(settings.modsecurityModule()).append(";\n");
    out.append("worker_processes 1;\n");
    out.append("pid ").append(settings.prefix().resolve("nginx.pid")).append(";\n\n");
    out.append("events {\n  worker_connections 4096;\n}\n\n");
    out.append("http {\n");
    Path tmp = settings.prefix().resolve("tmp");
    for (String kind : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
      out.append("  ").append(kind).append("_temp_path ").append(tmp.resolve(kind)).append(";\n");
    }
    out.append("  log_format antiscraping_clients '").append(NginxSettings.LOG_FORMAT).append("';\n");
    out.append("  access_log ").append(settings.accessLog()).append(" antiscraping_clients;\n");
    out.append("  keepalive_timeout 65;\n");
    out.append("  server_tokens off;\n");
    if (controller.realIpEnabled()) {
      out.append("\n  # use-forwarded-headers / enable-real-ip: the client is the last address in ")
          .append(controller.forwardedForHeader()).append(" not sent by a proxy-real-ip-cidr peer.\n");
      out.append("  real_ip_header ").append(controller.forwardedForHeader()).append(";\n");
      out.append("  real_ip_recursive on;\n");
      for (String cidr : controller.proxyRealIpCidr()) {
        out.append("  set_real_ip_from ").append(cidr).append(";\n");
      }
    } else {
      out.append("\n  # use-forwarded-headers and enable-real-ip are off: the client is the TCP peer.\n");
    }
    out.append("\n  limit_req_status ").append(controller.limitReqStatusCode()).append(";\n");
    out.append("  limit_conn_status ").append(controller.limitConnStatusCode()).append(";\n");

    for (Map.Entry<String, ParsedIngress.Annotations> e : limitsById.entrySet()) {
      String id = e.getKey();
      ParsedIngress.Annotations l = e.getValue();
      if (!l.rateLimited()) {
        continue;
      }
      out.append("\n  # Rate limits of Ingress ").append(id).append('\n');
      out.append("  geo $remote_addr $allowlist_").append(id).append(" {\n    default 0;\n");
      for (String cidr : l.limitAllowlist()) {
        out.append("    ").append(cidr).append(" 1;\n");
      }
      out.append("  }\n");
      out.append("  map $allowlist_").append(id).append(" $limit_").append(id).append(" {\n")
          .append("    0 $binary_remote_addr;\n    1 \"\";\n  }\n");
      if (l.connections() > 0) {
        out.append("  limit_conn_zone $limit_").append(id).append(" zone=").append(id).append("_conn:5m;\n");
      }
      if (l.rps() > 0) {
        out.append("  limit_req_zone $limit_").append(id).append(" zone=").append(id).append("_rps:5m rate=")
            .append(l.rps()).append("r/s;\n");
      }
      if (l.rpm() > 0) {
        out.append("  limit_req_zone $limit_").append(id).append(" zone=").append(id).append("_rpm:5m rate=")
            .append(l.rpm()).append("r/m;\n");
      }
    }

    out.append("\n  server {\n    listen 127.0.0.1:").append(settings.listenPort()).append(" default_server;\n")
        .append("    server_name _;\n    location / {\n      return 404;\n    }\n  }\n");

    for (Map.Entry<String, List<Location>> host : byHost.entrySet()) {
      out.append("\n  server {\n    listen 127.0.0.1:").append(settings.listenPort()).append(";\n");
      out.append("    server_name ").append(host.getKey()).append(";\n");
      List<Location> locations = new ArrayList<>(host.getValue());
      // Longest paths first, as ingress-nginx orders them; nginx picks the longest prefix anyway.
      locations.sort(Comparator.comparing((Location l) -> -l.path().length()).thenComparing(Location::path));
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (Location loc : locations) {
        String key = ("Exact".equals(loc.pathType()) ? "= " : "") + loc.path();
        if (!seen.add(key)) {
          continue; // the first Ingress (by namespace/name) wins a duplicated path, as in ingress-nginx
        }
        renderLocation(out, key, loc, settings);
      }
      out.append("  }\n");
    }
    out.append("}\n");
    return out.toString();
  }

  private static void renderLocation(StringBuilder out, String key, Location loc, NginxSettings settings) {
    ParsedIngress.Annotations l = loc.limits();
    out.append("\n    # Ingress ").append(loc.ingressId()).append('\n');
    out.append("    location ").append(key).append(" {\n");
    if (l.modsecurity()) {
      // As ingress-nginx's buildModSecurityForLocation (enable-modsecurity not set globally): a snippet replaces the
      // base configuration; the Core Rule Set file is loaded whether or not there is a snippet.
      out.append("      modsecurity on;\n");
      String snippet = l.snippet();
      if (snippet != null && !snippet.isEmpty()) {
        out.append("      modsecurity_rules '\n").append(imagePaths(snippet, settings)).append("\n';\n");
      } else {
        out.append("      modsecurity_rules_file ").append(settings.modsecurityBase()).append(";\n");
      }
      if (l.owaspCoreRules()) {
        out.append("      modsecurity_rules_file ").append(settings.crsInclude()).append(";\n");
      }
    }
    if (l.denied() != null) {
      out.append("      # Location denied. Reason: \"").append(l.denied()).append("\"\n");
      out.append("      return 503;\n");
      out.append("    }\n");
      return;
    }
    for (String cidr : l.denylist()) {
      out.append("      deny ").append(cidr).append(";\n");
    }
    if (!l.allowlist().isEmpty()) {
      for (String cidr : l.allowlist()) {
        out.append("      allow ").append(cidr).append(";\n");
      }
      out.append("      deny all;\n");
    }
    if (l.connections() > 0) {
      out.append("      limit_conn ").append(loc.ingressId()).append("_conn ").append(l.connections()).append(";\n");
    }
    if (l.rps() > 0) {
      out.append("      limit_req zone=").append(loc.ingressId()).append("_rps burst=")
          .append((long) l.rps() * l.burstMultiplier()).append(" nodelay;\n");
    }
    if (l.rpm() > 0) {
      out.append("      limit_req zone=").append(loc.ingressId()).append("_rpm burst=")
          .append((long) l.rpm() * l.burstMultiplier()).append(" nodelay;\n");
    }
    if (loc.backend() == null) {
      out.append("      return 503;\n");
    } else {
      out.append("      proxy_set_header Host $host;\n");
      out.append("      proxy_set_header X-Real-IP $remote_addr;\n");
      out.append("      proxy_set_header X-Forwarded-For $remote_addr;\n");
      out.append("      proxy_http_version 1.1;\n");
      out.append("      proxy_set_header Connection \"\";\n");
      out.append("      proxy_pass http://").append(loc.backend()).append(";\n");
    }
    out.append("    }\n");
  }

  /** Namespace and name as an nginx identifier (letters, digits, underscores). */
  static String ingressId(Ingress ingress) {
    return (ns(ingress) + "_" + ingress.getMetadata().getName()).replaceAll("[^A-Za-z0-9_]", "_");
  }

  private static String backend(IngressBackend backend, NginxSettings settings) {
    if (backend == null || backend.getService() == null) {
      return null;
    }
    Integer port = settings.backends().get(backend.getService().getName());
    return port == null ? null : "127.0.0.1:" + port;
  }

  private static String ns(Ingress i) {
    return i.getMetadata().getNamespace() == null ? "default" : i.getMetadata().getNamespace();
  }

  /** The controller image's file paths in a snippet, mapped to the lab's files that stand for them. */
  private static String imagePaths(String snippet, NginxSettings settings) {
    return snippet.replace(NginxSettings.IMAGE_CRS_INCLUDE, settings.crsInclude().toString())
        .replace(NginxSettings.IMAGE_MODSECURITY_CONF, settings.modsecurityBase().toString());
  }
}
