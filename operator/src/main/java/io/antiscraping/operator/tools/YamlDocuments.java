package io.antiscraping.operator.tools;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The YAML documents of the files a command is given, each with the line of every field, so that messages can say
 * {@code file:line} next to the field path ({@code spec.levels[1].when[0].signal}).
 */
final class YamlDocuments {

  private static final YAMLFactory YAML = new YAMLFactory();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** A file or stdin that could not be read or parsed: {@code line} 0 when unknown. */
  static final class SourceException extends Exception {
    final String source;
    final int line;

    SourceException(String source, int line, String message) {
      super(message);
      this.source = source;
      this.line = line;
    }

    String where() {
      return line > 0 ? source + ":" + line : source;
    }
  }

  /** A file named on the command line that does not exist: bad usage (exit 2), not a failed check. */
  static final class MissingSource extends Exception {
    MissingSource(String message) {
      super(message);
    }
  }

  /** One document: where it is, the tree, and the line of every field path in it. */
  record Document(String source, int line, JsonNode node, Map<String, Integer> lines) {

    /** The line of a field path, else of its closest ancestor, else of the document. */
    int lineOf(String path) {
      String p = path;
      while (p != null && !p.isEmpty()) {
        Integer l = lines.get(p);
        if (l != null) {
          return l;
        }
        p = parent(p);
      }
      return line;
    }

    String where(String path) {
      return source + ":" + lineOf(path);
    }

    String kind() {
      return node.path("kind").asText("");
    }

    String name() {
      return node.path("metadata").path("name").asText("");
    }

    String namespace() {
      return node.path("metadata").path("namespace").asText("");
    }

    private static String parent(String path) {
      int dot = path.lastIndexOf('.');
      int bracket = path.lastIndexOf('[');
      int cut = Math.max(dot, bracket);
      return cut <= 0 ? null : path.substring(0, cut);
    }
  }

  private YamlDocuments() {
  }

  /** The files a command was given: {@code -} is stdin, a directory means its *.yaml / *.yml files, sorted. */
  static List<Path> expand(List<String> args) throws MissingSource {
    List<Path> out = new ArrayList<>();
    for (String a : args) {
      if ("-".equals(a)) {
        out.add(Path.of("-"));
        continue;
      }
      Path p = Path.of(a);
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.walk(p)) {
          s.filter(Files::isRegularFile)
              .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
              .sorted().forEach(out::add);
        } catch (IOException e) {
          throw new MissingSource(a + ": cannot list the directory: " + e.getMessage());
        }
      } else if (!Files.isReadable(p)) {
        throw new MissingSource(a + ": no such file or directory");
      } else {
        out.add(p);
      }
    }
    return out;
  }

  static String text(Path file, InputStream stdin) throws SourceException {
    try {
      return "-".equals(file.toString()) ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(file);
    } catch (IOException e) {
      throw new SourceException(display(file), 0, "cannot read: " + e.getMessage());
    }
  }

  static String display(Path file) {
    return "-".equals(file.toString()) ? "<stdin>" : file.toString();
  }

  static List<Document> read(Path file, InputStream stdin) throws SourceException {
    return parse(display(file), text(file, stdin));
  }

  /** Every non-empty document of a YAML stream. */
  static List<Document> parse(String source, String text) throws SourceException {
    List<Document> docs = new ArrayList<>();
    try (JsonParser p = YAML.createParser(text)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        int line = p.currentTokenLocation().getLineNr();
        Map<String, Integer> lines = new HashMap<>();
        JsonNode node = value(p, t, "", lines);
        if (node != null && !node.isNull()) {
          docs.add(new Document(source, line, node, lines));
        }
      }
    } catch (IOException e) {
      int line = e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
          ? j.getLocation().getLineNr() : 0;
      String msg = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
          : e.getMessage();
      throw new SourceException(source, line, "not valid YAML: " + firstLine(msg));
    }
    return docs;
  }

  private static JsonNode value(JsonParser p, JsonToken t, String path, Map<String, Integer> lines)
      throws IOException {
    return switch (t) {
      case START_OBJECT -> {
        ObjectNode o = NODES.objectNode();
        JsonToken n;
        while ((n = p.nextToken()) == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          String child = path.isEmpty() ? name : path + "." + name;
          lines.putIfAbsent(child, p.currentTokenLocation().getLineNr());
          o.set(name, value(p, p.nextToken(), child, lines));
        }
        yield o;
      }
      case START_ARRAY -> {
        ArrayNode a = NODES.arrayNode();
        JsonToken n;
        int i = 0;
        while ((n = p.nextToken()) != JsonToken.END_ARRAY) {
          String child = path + "[" + i++ + "]";
          lines.putIfAbsent(child, p.currentTokenLocation().getLineNr());
          a.add(value(p, n, child, lines));
        }
        yield a;
      }
      case VALUE_STRING -> NODES.textNode(p.getText());
      case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
        case INT -> NODES.numberNode(p.getIntValue());
        case LONG -> NODES.numberNode(p.getLongValue());
        default -> NODES.numberNode(p.getBigIntegerValue());
      };
      case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
      case VALUE_TRUE -> NODES.booleanNode(true);
      case VALUE_FALSE -> NODES.booleanNode(false);
      case VALUE_NULL -> NODES.nullNode();
      default -> NODES.textNode(p.getText());
    };
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
