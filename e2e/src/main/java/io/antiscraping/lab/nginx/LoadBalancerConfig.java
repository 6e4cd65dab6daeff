package io.antiscraping.lab.nginx;

import java.nio.file.Path;
import java.util.List;

/**
 * The lab's load balancer in front of the controller replicas: an nginx that spreads requests round robin over them,
 * as a cloud load balancer spreads connections over the controller pods, and passes X-Forwarded-For on untouched
 * (the traffic generator already appends each client's true address, as the modelled load balancer would). It keeps
 * no access log and retries nothing, so that every answer is one replica's.
 */
public final class LoadBalancerConfig {

  private LoadBalancerConfig() {}

  public static String render(Path prefix, int listenPort, List<Integer> replicaPorts) {
    StringBuilder out = new StringBuilder();
    out.append("# The lab's load balancer in front of the ingress controller replicas.\n");
    out.append("worker_processes 1;\n");
    out.append("pid ").append(prefix.resolve("nginx.pid")).append(";\n\n");
    out.append("events {\n  worker_connections 4096;\n}\n\n");
    out.append("http {\n");
    Path tmp = prefix.resolve("tmp");
    for (String kind : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
      out.append("  ").append(kind).append("_temp_path ").append(tmp.resolve(kind)).append(";\n");
    }
    out.append("  access_log off;\n  keepalive_timeout 65;\n  server_tokens off;\n\n");
    out.append("  upstream controller_replicas {\n");
    for (int port : replicaPorts) {
      out.append("    server 127.0.0.1:").append(port).append(";\n");
    }
    out.append("    keepalive 64;\n  }\n\n");
    out.append("  server {\n    listen 127.0.0.1:").append(listenPort).append(";\n");
    out.append("    location / {\n");
    out.append("      proxy_pass http://controller_replicas;\n");
    out.append("      proxy_http_version 1.1;\n");
    out.append("      proxy_set_header Connection \"\";\n");
    out.append("      proxy_set_header Host $http_host;\n");
    out.append("      proxy_next_upstream off;\n");
    out.append("    }\n  }\n}\n");
    return out.toString();
  }
}
