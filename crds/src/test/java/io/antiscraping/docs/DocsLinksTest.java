package io.antiscraping.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relative links of README.md and docs/**.md resolve: to an existing file or folder of the repository, and an
 * {@code #anchor} to a heading of the target page as GitHub slugs it. Every page under docs/ is reachable from the
 * README.
 */
class DocsLinksTest {

  /** The repository root, from the crds module's directory (where Maven runs its tests). */
  static final Path ROOT = Path.of("..");

  @Test
  void everyRelativeLinkResolves() {
    List<Path> pages = pages(ROOT);
    assertThat(pages).as("README.md and docs/**/*.md").hasSizeGreaterThan(10);
    assertThat(brokenLinks(ROOT, pages)).isEmpty();
  }

  @Test
  void everyDocsPageIsReachableFromTheReadme() {
    Set<Path> reached = reachable(ROOT, ROOT.resolve("README.md"));
    List<String> unreached = pages(ROOT).stream().filter(p -> !reached.contains(p.toAbsolutePath().normalize()))
        .map(p -> ROOT.toAbsolutePath().normalize().relativize(p.toAbsolutePath().normalize()).toString()).toList();
    assertThat(unreached).as("pages no chain of links from README.md reaches").isEmpty();
  }

  @Test
  void slugsFollowGitHub() {
    assertThat(slug("Policy tools: validate, test, render, diff")).isEqualTo("policy-tools-validate-test-render-diff");
    assertThat(slug("Controller configuration the operator's results assume"))
        .isEqualTo("controller-configuration-the-operators-results-assume");
    assertThat(slug("`validate`")).isEqualTo("validate");
    assertThat(slug("Status, conditions and events")).isEqualTo("status-conditions-and-events");
    assertThat(slug("What it measures, and the report")).isEqualTo("what-it-measures-and-the-report");
    assertThat(slug("The [lab](lab/README.md) **results**")).isEqualTo("the-lab-results");
    assertThat(slug("snake_case and CamelCase")).isEqualTo("snake_case-and-camelcase");
    assertThat(slug("A -- B")).isEqualTo("a----b");
    assertThat(anchors("# Same\n\n## Same\n\n```\n# not a heading\n```\n\n### Other\n<a id=\"custom\"></a>\n"))
        .containsExactlyInAnyOrder("same", "same-1", "other", "custom");
  }

  @Test
  void aBrokenLinkOrAnchorIsFound(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("docs/sub"));
    Files.writeString(dir.resolve("README.md"), """
        # Project
        [ok](docs/a.md) [ok anchor](docs/a.md#section-one) [here](#project) [folder](docs/sub/)
        [missing](docs/missing.md) [bad anchor](docs/a.md#no-such-heading) [web](https://example.com/x.md)
        `[in code](docs/nothing.md)`
        ```
        [in a fence](docs/nothing.md)
        ```
        """);
    Files.writeString(dir.resolve("docs/a.md"), "# A\n\n## Section one\n\n[back](../README.md#projectx)\n");
    Files.writeString(dir.resolve("docs/sub/orphan.md"), "# Orphan\n");

    assertThat(brokenLinks(dir, pages(dir))).containsExactlyInAnyOrder(
        "README.md: docs/missing.md (no such file)",
        "README.md: docs/a.md#no-such-heading (no such heading in docs/a.md)",
        "docs/a.md: ../README.md#projectx (no such heading in README.md)");
    assertThat(reachable(dir, dir.resolve("README.md"))).contains(dir.resolve("docs/a.md").toAbsolutePath().normalize())
        .doesNotContain(dir.resolve("docs/sub/orphan.md").toAbsolutePath().normalize());
  }

  // --- the checker ---------------------------------------------------------------------------------------------

  private static final Pattern LINK = Pattern.compile("!?\\[((?:[^\\[\\]]|\\[[^\\]]*\\])*)\\]\\(\\s*<?([^)\\s>]+)>?"
      + "(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:name|id)=\"([^\"]+)\"");

  /** README.md and every Markdown file under docs/. */
  static List<Path> pages(Path root) {
    List<Path> out = new ArrayList<>();
    out.add(root.resolve("README.md"));
    Path docs = root.resolve("docs");
    if (Files.isDirectory(docs)) {
      try (Stream<Path> s = Files.walk(docs)) {
        s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** "page: target (why)" for every relative link that does not resolve. */
  static List<String> brokenLinks(Path root, List<Path> pages) {
    Map<Path, Set<String>> anchorCache = new HashMap<>();
    List<String> broken = new ArrayList<>();
    for (Path page : pages) {
      String name = rel(root, page);
      for (String target : links(read(page))) {
        if (external(target)) {
          continue;
        }
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = resolve(root, page, file);
        if (!Files.exists(resolved)) {
          broken.add(name + ": " + target + " (no such file)");
          continue;
        }
        if (anchor != null) {
          if (Files.isDirectory(resolved) || !resolved.toString().endsWith(".md")) {
            broken.add(name + ": " + target + " (an anchor into something that is not a Markdown page)");
            continue;
          }
          Set<String> anchors = anchorCache.computeIfAbsent(resolved.toAbsolutePath().normalize(),
              p -> anchors(read(p)));
          String wanted = URLDecoder.decode(anchor, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
          if (!anchors.contains(wanted)) {
            broken.add(name + ": " + target + " (no such heading in " + rel(root, resolved) + ")");
          }
        }
      }
    }
    return broken;
  }

  /** The Markdown pages a chain of relative links from {@code start} reaches (a folder stands for its README.md). */
  static Set<Path> reachable(Path root, Path start) {
    Set<Path> seen = new LinkedHashSet<>();
    Deque<Path> todo = new ArrayDeque<>();
    todo.add(start.toAbsolutePath().normalize());
    while (!todo.isEmpty()) {
      Path page = todo.poll();
      if (!seen.add(page)) {
        continue;
      }
      for (String target : links(read(page))) {
        if (external(target)) {
          continue;
        }
        int hash = target.indexOf('#');
        Path p = resolve(root, page, hash < 0 ? target : target.substring(0, hash)).toAbsolutePath().normalize();
        if (Files.isDirectory(p)) {
          p = p.resolve("README.md");
        }
        if (p.toString().endsWith(".md") && Files.isRegularFile(p)) {
          todo.add(p);
        }
      }
    }
    return seen;
  }

  /** Link targets of a page, outside fenced code blocks, code spans and HTML comments. */
  static List<String> links(String markdown) {
    List<String> out = new ArrayList<>();
    for (String line : prose(markdown)) {
      Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", ""));
      while (m.find()) {
        out.add(m.group(2));
      }
    }
    return out;
  }

  /** The anchors of a page: its headings' slugs (duplicates numbered as GitHub does) and explicit HTML anchors. */
  static Set<String> anchors(String markdown) {
    Set<String> out = new TreeSet<>();
    Map<String, Integer> seen = new HashMap<>();
    for (String line : prose(markdown)) {
      Matcher a = HTML_ANCHOR.matcher(line);
      while (a.find()) {
        out.add(a.group(1).toLowerCase(Locale.ROOT));
      }
      Matcher h = HEADING.matcher(line);
      if (h.matches()) {
        String base = slug(h.group(2));
        int n = seen.merge(base, 1, Integer::sum) - 1;
        out.add(n == 0 ? base : base + "-" + n);
      }
    }
    return out;
  }

  /**
   * GitHub's heading slug: the heading's text (Markdown links reduced to their text, code spans to their content,
   * HTML tags dropped), lower case, every character but letters, digits, spaces, hyphens and underscores removed,
   * each space a hyphen.
   */
  static String slug(String heading) {
    String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replaceAll("<[^>]+>", "")
        .replace("`", "");
    StringBuilder out = new StringBuilder();
    text.toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
      if (Character.isLetterOrDigit(c) || c == '_' || c == '-' || Character.getType(c) == Character.NON_SPACING_MARK) {
        out.appendCodePoint(c);
      } else if (c == ' ') {
        out.append('-');
      }
    });
    return out.toString();
  }

  private static List<String> prose(String markdown) {
    List<String> out = new ArrayList<>();
    String fence = null;
    String withoutComments = markdown.replaceAll("(?s)<!--.*?-->", "");
    for (String line : withoutComments.split("\n", -1)) {
      String trimmed = line.stripLeading();
      if (fence == null && (trimmed.startsWith("```") || trimmed.startsWith("~~~"))) {
        fence = trimmed.substring(0, 3);
        continue;
      }
      if (fence != null) {
        if (trimmed.startsWith(fence)) {
          fence = null;
        }
        continue;
      }
      out.add(line);
    }
    return out;
  }

  private static boolean external(String target) {
    return target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") || target.startsWith("//");
  }

  private static Path resolve(Path root, Path page, String file) {
    String decoded = URLDecoder.decode(file.replace("+", "%2B"), StandardCharsets.UTF_8);
    if (decoded.isEmpty()) {
      return page;
    }
    return decoded.startsWith("/") ? root.resolve(decoded.substring(1)) : page.getParent().resolve(decoded);
  }

  private static String rel(Path root, Path p) {
    return root.toAbsolutePath().normalize().relativize(p.toAbsolutePath().normalize()).toString();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
