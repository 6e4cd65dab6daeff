package io.antiscraping.lab.nginx;

import io.antiscraping.lab.support.ChildProcesses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (Debian {@code nginx} + {@code libnginx-mod-http-modsecurity}) run unprivileged from a prefix
 * directory: {@code nginx -c CONF -p PREFIX -e ERRLOG -g 'daemon off;'}. Every configuration is checked with
 * {@code nginx -t} before it replaces the running one, as ingress-nginx does; reload is {@code nginx -s reload}.
 */
public final class NginxProcess implements AutoCloseable {

  public static final Path NGINX = Path.of("/usr/sbin/nginx");

  private final Path prefix;
  private final Path conf;
  private final Path errorLog;
  private final Process process;
  private int reloads;

  private NginxProcess(Path prefix, Path conf, Path errorLog, Process process) {
    this.prefix = prefix;
    this.conf = conf;
    this.errorLog = errorLog;
    this.process = process;
  }

  /**
   * Prepares {@code prefix} (temp directories and the ModSecurity base rules with absolute paths) and returns the
   * base rules file to put in {@link NginxSettings#modsecurityBase()}.
   */
  public static Path preparePrefix(Path prefix) throws IOException {
    prepareDirectories(prefix);
    Path base = prefix.resolve("modsecurity.conf");
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(NginxSettings.DEBIAN_MODSECURITY_CONF, StandardCharsets.UTF_8)) {
      String t = line.trim();
      if (t.startsWith("SecUnicodeMapFile")) {
        out.add("SecUnicodeMapFile " + NginxSettings.DEBIAN_UNICODE_MAPPING + " 20127");
      } else if (t.startsWith("SecAuditLog ")) {
        out.add("SecAuditLog " + prefix.resolve("logs/modsec_audit.log"));
      } else if (t.startsWith("SecAuditEngine")) {
        out.add("SecAuditEngine Off"); // the error log already names the rule that matched
      } else {
        out.add(line);
      }
    }
    Files.write(base, out, StandardCharsets.UTF_8);
    return base;
  }

  /** Creates the temp and log directories an nginx run from {@code prefix} needs. */
  public static void prepareDirectories(Path prefix) throws IOException {
    for (String kind : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
      Files.createDirectories(prefix.resolve("tmp").resolve(kind));
    }
    Files.createDirectories(prefix.resolve("logs"));
  }

  /**
   * Writes {@code prefix}/owasp-modsecurity-crs/nginx-modsecurity.conf, which loads the Core Rule Set the controller
   * image ships (CRS {@value CoreRuleSet#V4_VERSION}, {@link CoreRuleSet#v4()}) file by file (libmodsecurity3 rejects
   * IncludeOptional), and returns it for {@link NginxSettings#crsInclude()}.
   */
  public static Path prepareCrsInclude(Path prefix) throws IOException {
    try {
      return prepareCrsInclude(prefix, CoreRuleSet.v4());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching the Core Rule Set", e);
    }
  }

  /** As {@link #prepareCrsInclude(Path)}, with the given rule set. */
  public static Path prepareCrsInclude(Path prefix, CoreRuleSet crs) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("# The OWASP Core Rule Set " + crs.version() + " as the ingress-nginx image loads it.");
    lines.add("Include " + crs.setup());
    for (Path p : crs.ruleFiles()) {
      lines.add("Include " + p);
    }
    Path dir = Files.createDirectories(prefix.resolve("owasp-modsecurity-crs"));
    Path file = dir.resolve("nginx-modsecurity.conf");
    Files.write(file, lines, StandardCharsets.UTF_8);
    return file;
  }

  /** Checks and starts nginx with {@code config}; returns once it accepts connections on {@code port}. */
  public static NginxProcess start(Path prefix, String config, int port) throws IOException, InterruptedException {
    Path conf = prefix.resolve("nginx.conf");
    Path errorLog = prefix.resolve("logs/error.log");
    Files.writeString(conf, config);
    check(prefix, conf, errorLog);
    ProcessBuilder pb = new ProcessBuilder(NGINX.toString(), "-c", conf.toString(), "-p", prefix.toString() + "/",
        "-e", errorLog.toString(), "-g", "daemon off;")
        .redirectErrorStream(true).redirectOutput(prefix.resolve("logs/stdout.log").toFile());
    Process p = ChildProcesses.start(pb);
    NginxProcess nginx = new NginxProcess(prefix, conf, errorLog, p);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IOException("nginx exited with " + p.exitValue() + ": " + tail(errorLog));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return nginx;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    nginx.close();
    throw new IOException("nginx did not listen on " + port + ": " + tail(errorLog));
  }

  /** Checks {@code config} with {@code nginx -t} and, when valid, makes it the running configuration. */
  public synchronized void reload(String config) throws IOException, InterruptedException {
    Path candidate = prefix.resolve("nginx.conf.new");
    Files.writeString(candidate, config);
    check(prefix, candidate, errorLog);
    Files.move(candidate, conf, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    run(List.of(NGINX.toString(), "-c", conf.toString(), "-p", prefix.toString() + "/", "-e", errorLog.toString(),
        "-s", "reload"), errorLog);
    reloads++;
  }

  public synchronized int reloads() {
    return reloads;
  }

  public Path errorLog() {
    return errorLog;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  private static void check(Path prefix, Path conf, Path errorLog) throws IOException, InterruptedException {
    run(List.of(NGINX.toString(), "-t", "-q", "-c", conf.toString(), "-p", prefix.toString() + "/", "-e",
        errorLog.toString()), errorLog);
  }

  private static void run(List<String> command, Path errorLog) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", command));
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + output.strip());
    }
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "(no error log)";
    }
  }

  @Override
  public void close() {
    ChildProcesses.stop(process);
  }
}
