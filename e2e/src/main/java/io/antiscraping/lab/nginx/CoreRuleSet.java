package io.antiscraping.lab.nginx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The OWASP Core Rule Set the lab's ModSecurity loads.
 *
 * <p>{@link #v4()} is CRS {@value #V4_VERSION}, the version the ingress-nginx v1.15 controller image ships, taken
 * unmodified from the Go module {@value #V4_MODULE} (through the Go module proxy, with the ordinary {@code go}
 * client) and cached by version under {@code ~/.cache/antiscraping-operator/crs/} ({@code $XDG_CACHE_HOME} when set).
 * One change makes it load in Debian's libmodsecurity 3.0.9 (the controller image has 3.0.14): 3.0.9's parser
 * rejects a chained {@code SecRule} without an action list ("Expecting an action"), which CRS v4 has twice (rules
 * 949111 and 959101's chain); the copy gives those chain links the no-op action {@code "t:none"}.
 *
 * <p>{@link #debian()} is Debian bookworm's {@code modsecurity-crs} 3.3.4, which the lab used before.
 */
public record CoreRuleSet(String version, Path setup, Path rules) {

  public static final String V4_MODULE = "github.com/corazawaf/coraza-coreruleset/v4";
  public static final String V4_VERSION = "4.22.0";

  private static final Pattern ACTIONLESS_CHAIN_LINK =
      Pattern.compile("^(\\s+SecRule\\s+\\S+\\s+\"(?:[^\"\\\\]|\\\\.)*\")\\s*$");

  public static CoreRuleSet debian() {
    return new CoreRuleSet("3.3.4", NginxSettings.DEBIAN_CRS_SETUP, NginxSettings.DEBIAN_CRS_RULES);
  }

  /** The cache directory of CRS {@value #V4_VERSION}. */
  public static Path v4Dir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path cache = xdg == null || xdg.isBlank() ? Path.of(System.getProperty("user.home"), ".cache") : Path.of(xdg);
    return cache.resolve("antiscraping-operator/crs").resolve(V4_VERSION);
  }

  public static boolean v4Cached() {
    return Files.exists(v4Dir().resolve(".complete"));
  }

  /** CRS {@value #V4_VERSION}, fetched into the cache first when it is not there. */
  public static synchronized CoreRuleSet v4() throws IOException, InterruptedException {
    Path dir = v4Dir();
    if (!v4Cached()) {
      fetch(dir);
    }
    return new CoreRuleSet(V4_VERSION, dir.resolve("crs-setup.conf"), dir.resolve("rules"));
  }

  /** The rule files in load order. */
  public List<Path> ruleFiles() throws IOException {
    try (Stream<Path> s = Files.list(rules)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".conf")).sorted().toList();
    }
  }

  private static void fetch(Path dir) throws IOException, InterruptedException {
    Path work = Files.createTempDirectory("crs-fetch");
    Process p = new ProcessBuilder(goBinary(), "mod", "download", "-json", V4_MODULE + "@v" + V4_VERSION)
        .directory(work.toFile()).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException("go mod download " + V4_MODULE + "@v" + V4_VERSION + " failed: " + err.strip());
    }
    JsonNode info = new ObjectMapper().readTree(out);
    Path module = Path.of(info.path("Dir").asText());
    Path src = module.resolve("rules");
    Path tmp = Files.createDirectories(dir.resolveSibling(V4_VERSION + ".partial"));
    Files.createDirectories(tmp.resolve("rules"));
    Files.copy(src.resolve("@crs-setup.conf.example"), tmp.resolve("crs-setup.conf"),
        StandardCopyOption.REPLACE_EXISTING);
    try (Stream<Path> s = Files.list(src.resolve("@owasp_crs"))) {
      for (Path f : s.toList()) {
        Path target = tmp.resolve("rules").resolve(f.getFileName().toString());
        if (f.getFileName().toString().endsWith(".conf")) {
          Files.write(target, forLibmodsecurity309(Files.readAllLines(f, StandardCharsets.UTF_8)),
              StandardCharsets.UTF_8);
        } else {
          Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
        }
        target.toFile().setWritable(true, true);
      }
    }
    Files.writeString(tmp.resolve(".complete"), V4_MODULE + "@v" + V4_VERSION + " " + info.path("Sum").asText()
        + "\n");
    if (Files.exists(dir)) {
      deleteTree(dir);
    }
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Gives every chained SecRule without an action list the no-op action {@code "t:none"}. */
  static List<String> forLibmodsecurity309(List<String> lines) {
    List<String> out = new ArrayList<>(lines.size());
    for (String line : lines) {
      Matcher m = ACTIONLESS_CHAIN_LINK.matcher(line);
      out.add(m.matches() ? m.group(1) + " \"t:none\"" : line);
    }
    return out;
  }

  private static String goBinary() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "go"))) {
        return Path.of(dir, "go").toString();
      }
    }
    Path local = Path.of("/usr/local/go/bin/go");
    if (Files.isExecutable(local)) {
      return local.toString();
    }
    throw new IllegalStateException("CRS " + V4_VERSION + " is not cached in " + v4Dir()
        + " and there is no go command to fetch it from the Go module proxy (" + V4_MODULE + ")");
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
