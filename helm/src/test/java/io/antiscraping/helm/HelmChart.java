package io.antiscraping.helm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The chart under test, driven through the real Helm library (helm-java embeds Helm 3.16 as a native library).
 *
 * <p>helm-java's {@code lint} takes no values, so {@link #lint(Map)} lints a copy of the chart whose values.yaml
 * is the chart's defaults merged with the overrides: the same values Helm would lint with {@code -f}.
 *
 * <p>helm-java's {@code template} renders for Kubernetes v1.20.0 (the library is built without Helm's version
 * ldflags) and takes no {@code --kube-version}, so the chart's {@code kubeVersion} constraint would refuse every
 * render. {@link #template(Map)} renders a copy whose Chart.yaml has no constraint; {@link #templateAsShipped(Map)}
 * renders the chart itself.
 */
final class HelmChart {

  static final Path CHART = Path.of("antiscraping-operator");
  static final String RELEASE = "antiscraping-operator";
  static final String NAMESPACE = "antiscraping-system";
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Path WORK = Path.of("target", "helm-work");

  private HelmChart() {
  }

  /** {@code helm template antiscraping-operator ./antiscraping-operator -n antiscraping-system -f values}. */
  static Rendered template(Map<String, ?> values) {
    return render(stageWithoutKubeVersion(), values);
  }

  /** The chart directory itself, Chart.yaml's kubeVersion included. */
  static Rendered templateAsShipped(Map<String, ?> values) {
    return render(CHART, values);
  }

  private static Rendered render(Path chart, Map<String, ?> values) {
    Path valuesFile = writeValues(values);
    String manifest = new Helm(chart).template()
        .withName(RELEASE)
        .withNamespace(NAMESPACE)
        .withValuesFile(valuesFile)
        .call();
    return new Rendered(manifest, parseAll(manifest));
  }

  /**
   * The text {@code helm install --dry-run} prints, NOTES.txt included ({@code template} leaves NOTES out).
   * Client-only: no cluster is contacted.
   */
  static String installDryRunOutput(Map<String, ?> values) {
    return new Helm(stageWithoutKubeVersion()).install()
        .withName(RELEASE)
        .withNamespace(NAMESPACE)
        .withValuesFile(writeValues(values))
        .dryRun()
        .clientOnly()
        .call()
        .getOutput();
  }

  /** {@code helm lint --strict} with the chart's defaults overridden by {@code values}. */
  static LintResult lint(Map<String, ?> values) {
    try {
      Path copy = Files.createDirectories(WORK).resolve("lint-" + System.nanoTime()).resolve(CHART.getFileName());
      copyTree(CHART, copy);
      JsonNode merged = merge(YAML.readTree(CHART.resolve("values.yaml").toFile()), JSON.valueToTree(values));
      YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
      return new Helm(copy).lint().strict().call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path stageWithoutKubeVersion() {
    try {
      Path copy = Files.createDirectories(WORK).resolve("template-" + System.nanoTime()).resolve(CHART.getFileName());
      copyTree(CHART, copy);
      Path chartYaml = copy.resolve("Chart.yaml");
      List<String> lines = Files.readAllLines(chartYaml).stream()
          .filter(l -> !l.startsWith("kubeVersion:"))
          .toList();
      Files.write(chartYaml, lines);
      return copy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode defaultValues() {
    try {
      return YAML.readTree(CHART.resolve("values.yaml").toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<JsonNode> parseAll(String yaml) {
    try {
      List<JsonNode> docs = new ArrayList<>();
      Iterator<JsonNode> it = YAML.readValues(YAML.getFactory().createParser(yaml), JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && doc.isObject() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path writeValues(Map<String, ?> values) {
    try {
      Path file = Files.createDirectories(WORK).resolve("values-" + System.nanoTime() + ".yaml");
      YAML.writeValue(file.toFile(), values);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode merge(JsonNode base, JsonNode override) {
    if (base instanceof ObjectNode b && override.isObject()) {
      ObjectNode out = b.deepCopy();
      override.fields().forEachRemaining(e -> out.set(e.getKey(),
          out.has(e.getKey()) ? merge(out.get(e.getKey()), e.getValue()) : e.getValue()));
      return out;
    }
    return override;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Files.createDirectories(to.resolve(from.relativize(dir).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.copy(file, to.resolve(from.relativize(file).toString()));
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** The output of {@code helm template}: raw text and one JSON tree per manifest. */
  record Rendered(String manifest, List<JsonNode> docs) {

    List<JsonNode> all(String kind) {
      return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    Optional<JsonNode> find(String kind, String name) {
      return docs.stream()
          .filter(d -> kind.equals(d.path("kind").asText()) && name.equals(d.at("/metadata/name").asText()))
          .findFirst();
    }

    JsonNode one(String kind) {
      List<JsonNode> found = all(kind);
      if (found.size() != 1) {
        throw new AssertionError("expected exactly one " + kind + " but found " + found.size());
      }
      return found.get(0);
    }

    /** The manifest of that kind as a Fabric8 model object. */
    <T extends HasMetadata> T one(Class<T> type) {
      return as(type, one(type.getSimpleName()));
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
      return all(type.getSimpleName()).stream().map(d -> as(type, d)).toList();
    }

    List<HasMetadata> objects() {
      return docs.stream().map(d -> (HasMetadata) Serialization.unmarshal(toJson(d))).toList();
    }

    List<String> kinds() {
      return docs.stream().map(d -> d.path("kind").asText()).sorted().toList();
    }

    static <T> T as(Class<T> type, JsonNode doc) {
      return Serialization.unmarshal(toJson(doc), type);
    }

    private static String toJson(JsonNode doc) {
      try {
        return JSON.writeValueAsString(doc);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
