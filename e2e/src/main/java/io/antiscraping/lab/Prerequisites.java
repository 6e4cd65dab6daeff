package io.antiscraping.lab;

import io.antiscraping.lab.metrics.MtailProcess;
import io.antiscraping.lab.nginx.CoreRuleSet;
import io.antiscraping.lab.nginx.NginxProcess;
import io.antiscraping.lab.nginx.NginxSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Debian packages the lab runs, and how to get them; and the OWASP Core Rule Set the controller image ships, which
 * the lab fetches from its Go module with {@code go} into a cache outside the clone ({@link CoreRuleSet#v4()}).
 */
public final class Prerequisites {

  /** Package -> a file it installs. */
  static final Map<String, Path> PACKAGES = new LinkedHashMap<>();

  static {
    PACKAGES.put("prometheus", Path.of("/usr/bin/prometheus"));
    PACKAGES.put("nginx", NginxProcess.NGINX);
    PACKAGES.put("libnginx-mod-http-modsecurity", NginxSettings.DEBIAN_MODSECURITY_MODULE);
    PACKAGES.put("modsecurity-crs", NginxSettings.DEBIAN_CRS_RULES);
    PACKAGES.put("mtail", MtailProcess.MTAIL);
  }

  private Prerequisites() {}

  public static List<String> missing() {
    List<String> out = new ArrayList<>();
    PACKAGES.forEach((pkg, file) -> {
      if (!Files.exists(file)) {
        out.add(pkg);
      }
    });
    return out;
  }

  public static String installCommand(List<String> packages) {
    return "apt-get update && apt-get install -y --no-install-recommends " + String.join(" ", packages);
  }

  /**
   * Installs what is missing when running as root; otherwise throws with the exact command to run.
   */
  public static void ensure() throws IOException, InterruptedException {
    ensurePackages();
    if (!CoreRuleSet.v4Cached()) {
      System.out.println("Fetching the OWASP Core Rule Set " + CoreRuleSet.V4_VERSION + " (" + CoreRuleSet.V4_MODULE
          + ") into " + CoreRuleSet.v4Dir() + " ...");
    }
    CoreRuleSet.v4();
  }

  private static void ensurePackages() throws IOException, InterruptedException {
    List<String> missing = missing();
    if (missing.isEmpty()) {
      return;
    }
    if (!isRoot()) {
      throw new IllegalStateException("The lab needs Debian packages that are not installed. Run:\n  sudo "
          + installCommand(missing));
    }
    System.out.println("Installing " + String.join(" ", missing) + " ...");
    run(List.of("apt-get", "update", "-qq"));
    List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends"));
    install.addAll(missing);
    run(install);
    // Package scripts may start system services; the lab runs its own on free loopback ports.
    List<String> still = missing();
    if (!still.isEmpty()) {
      throw new IllegalStateException("still missing after apt-get: " + still);
    }
  }

  private static boolean isRoot() {
    try {
      Process p = new ProcessBuilder("id", "-u").start();
      return new String(p.getInputStream().readAllBytes()).trim().equals("0");
    } catch (IOException e) {
      return false;
    }
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
    pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
    int rc = pb.start().waitFor();
    if (rc != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed with " + rc);
    }
  }
}
