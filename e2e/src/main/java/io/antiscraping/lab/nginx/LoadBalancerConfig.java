package io.antiscraping.lab.nginx;

import java.nio.file.Path;
import java.util.List;

/**
 * The lab's load balancer in front of the controller replicas: an nginx that spreads requests round robin over them,
 * as a cloud load balancer spreads connections over the controller pods, and passes X-Forwarded-For on untouched
 * (the traffic generator already appends each client's true address, as the modelled load balancer would). It keeps
 * no access log. Every answer is one replica's: a request is sent to the other replica only when the first one
 * closed or reset the connection before answering anything (a reloading replica's old worker closing an idle
 * keep-alive connection as the request arrives), which is what a browser does on a direct connection and what cloud
 * load balancers do; a POST is never sent twice. A replica is never taken out of rotation for such an error (no
 * {@code max_fails}): a cloud load balancer takes a pod out on failed health checks, not on one reset connection,
 * and nginx's default (out for 10 s after one error) turned every reload into seconds of 502s for everyone.
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
      out.append("    server 127.0.0.1:").append(port).append(" max_fails=0;\n");
    }
    out.append("    keepalive 64;\n  }\n\n");
    out.append("  server {\n    listen 127.0.0.1:").append(listenPort).append(";\n");
    out.append("    location / {\n");
    out.append("      proxy_pass http://controller_replicas;\n");
    out.append("      proxy_http_version 1.1;\n");
    out.append("      proxy_set_header Connection \"\";\n");
    out.append("      proxy_set_header Host $http_host;\n");
    out.append("      proxy_next_upstream error;\n");
    out.append("      proxy_next_upstream_tries 2;\n");
    out.append("    }\n  }\n}\n");
    return out.toString();
  }
}
