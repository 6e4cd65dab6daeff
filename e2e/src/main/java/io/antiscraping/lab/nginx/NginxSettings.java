package io.antiscraping.lab.nginx;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The lab controller's configuration: what ingress-nginx keeps in its ConfigMap and command line, plus the paths an
 * unprivileged nginx needs. Backends map a Service name to a loopback port (the lab has no Service network).
 *
 * @param prefix            nginx prefix directory: pid file, temp paths and the generated ModSecurity base rules live here
 * @param listenPort        the port nginx listens on, 127.0.0.1 only
 * @param accessLog         the access log in the {@link #LOG_FORMAT} format the metrics recipe reads
 * @param backends          Service name -> port on 127.0.0.1
 * @param modsecurityBase   the ModSecurity base rules file (an edited copy of /etc/nginx/modsecurity.conf), which
 *                          stands for the controller image's {@value #IMAGE_MODSECURITY_CONF}
 * @param crsInclude        a file including the OWASP Core Rule Set files in load order, which stands for the
 *                          controller image's {@value #IMAGE_CRS_INCLUDE}
 * @param modsecurityModule the dynamic module to load
 * @param controller        the modelled controller's ConfigMap, flags and replica count
 */
public record NginxSettings(Path prefix, int listenPort, Path accessLog, Map<String, Integer> backends,
    Path modsecurityBase, Path crsInclude, Path modsecurityModule, ControllerSettings controller) {

  /** The access log format the mtail recipe in examples/metrics expects (keep the two in step). */
  public static final String LOG_FORMAT =
      "$remote_addr $status $request_method \"$uri\" $body_bytes_sent $request_time \"$http_user_agent\""
          + " $upstream_http_x_record_owner";

  /** Where the ingress-nginx controller image keeps the ModSecurity base configuration. */
  public static final String IMAGE_MODSECURITY_CONF = "/etc/nginx/modsecurity/modsecurity.conf";
  /** Where the ingress-nginx controller image keeps the file that loads the Core Rule Set. */
  public static final String IMAGE_CRS_INCLUDE = "/etc/nginx/owasp-modsecurity-crs/nginx-modsecurity.conf";

  public static final Path DEBIAN_MODSECURITY_MODULE = Path.of("/usr/lib/nginx/modules/ngx_http_modsecurity_module.so");
  public static final Path DEBIAN_MODSECURITY_CONF = Path.of("/etc/nginx/modsecurity.conf");
  public static final Path DEBIAN_UNICODE_MAPPING = Path.of("/etc/nginx/unicode.mapping");
  public static final Path DEBIAN_CRS_SETUP = Path.of("/etc/modsecurity/crs/crs-setup.conf");
  public static final Path DEBIAN_CRS_RULES = Path.of("/usr/share/modsecurity-crs/rules");

  public NginxSettings {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(accessLog, "accessLog");
    backends = Map.copyOf(backends);
    Objects.requireNonNull(controller, "controller");
  }

  /**
   * Settings for a controller configured as the operator requires ({@link ControllerSettings#operatorRequirements}),
   * trusting X-Forwarded-For from {@code realIpFrom} (the load balancer).
   */
  public NginxSettings(Path prefix, int listenPort, Path accessLog, Map<String, Integer> backends,
      List<String> realIpFrom, Path modsecurityBase, Path crsInclude, Path modsecurityModule) {
    this(prefix, listenPort, accessLog, backends, modsecurityBase, crsInclude, modsecurityModule,
        ControllerSettings.operatorRequirements(realIpFrom));
  }

  /** Addresses trusted to set the client address ({@code proxy-real-ip-cidr}), when the realip module is on. */
  public List<String> realIpFrom() {
    return controller.realIpEnabled() ? controller.proxyRealIpCidr() : List.of();
  }

  public NginxSettings withController(ControllerSettings c) {
    return new NginxSettings(prefix, listenPort, accessLog, backends, modsecurityBase, crsInclude, modsecurityModule,
        c);
  }

  /** The same settings for replica {@code index}: its own prefix directory (pid, temp files, error log) and port. */
  public NginxSettings forReplica(int index, int port) {
    return new NginxSettings(prefix.resolve("replica-" + index), port, accessLog, backends, modsecurityBase,
        crsInclude, modsecurityModule, controller);
  }
}
