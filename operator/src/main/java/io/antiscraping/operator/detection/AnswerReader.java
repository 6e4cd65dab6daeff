package io.antiscraping.operator.detection;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Reads a Prometheus API answer as a stream, never as one tree: the memory an answer takes is its bytes plus at
 * most {@code maxSeries} series, whatever the number of series it holds. A vector with more series keeps the
 * strongest ones (highest value; NaN counts as weakest) and counts the others as {@link Answer#dropped}: per-client
 * signals then still see the clients that matter for bans. Nesting is bounded, so a deep answer cannot exhaust the
 * stack either.
 *
 * <p>Each series is read token by token, never as a tree: its labels are counted as they stream by (a series with
 * more than {@value #MAX_LABELS} is refused: {@link Answer#tooManyLabels}), and only the labels the caller reads are
 * kept ({@link Labels}: the per-client label of a signal, or none for a scalar signal), each value at most
 * {@value #MAX_LABEL_VALUE} characters. What a vector costs is then its series count times one short label.
 */
final class AnswerReader {

  /** Series kept of one vector. */
  static final int DEFAULT_MAX_SERIES = 20_000;
  /** The most labels a series of an answer may have. */
  static final int MAX_LABELS = 128;
  /** A kept label value longer than this is dropped (a client address or CIDR is at most 43 characters). */
  static final int MAX_LABEL_VALUE = 256;

  /** Which labels of the series to keep. */
  record Labels(boolean all, String only) {
    /** Every label (at most {@link #MAX_LABELS} a series), for callers that read several. */
    static final Labels ALL = new Labels(true, null);
    /** None: a scalar signal reads the value only. */
    static final Labels NONE = new Labels(false, null);

    static Labels only(String label) {
      return label == null ? NONE : new Labels(false, label);
    }

    boolean keeps(String name) {
      return all || name.equals(only);
    }
  }
  private static final int MAX_DEPTH = 16;
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()).build();
  private static final ObjectMapper TREES = new ObjectMapper(FACTORY);

  private AnswerReader() {
  }

  /**
   * What the answer said, as far as it was understood.
   *
   * @param malformed     the body is not JSON, or not a JSON object, or too deep
   * @param tooManyLabels a series had more than {@link #MAX_LABELS} labels (its series are not returned)
   */
  record Answer(boolean malformed, String status, String errorType, String error, String resultType,
                JsonNode scalar, List<QueryResult.Series> series, int dropped, boolean matrix, boolean badSeries,
                boolean tooManyLabels) {
  }

  /** Thrown while streaming a series with more than {@link #MAX_LABELS} labels. */
  private static final class TooManyLabels extends IOException {
    TooManyLabels() {
      super("too many labels");
    }
  }

  static Answer read(byte[] body, int maxSeries) {
    return read(body, maxSeries, Labels.ALL);
  }

  static Answer read(byte[] body, int maxSeries, Labels keep) {
    if (body.length == 0) {
      return malformed();
    }
    try (JsonParser p = FACTORY.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return malformed();
      }
      String status = null;
      String errorType = null;
      String error = null;
      String resultType = null;
      JsonNode scalar = null;
      Top top = new Top(maxSeries);
      boolean matrix = false;
      boolean badSeries = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "status" -> status = t.isScalarValue() ? p.getValueAsString() : skip(p);
          case "errorType" -> errorType = t.isScalarValue() ? p.getValueAsString() : skip(p);
          case "error" -> error = t.isScalarValue() ? p.getValueAsString() : skip(p);
          case "data" -> {
            if (t != JsonToken.START_OBJECT) {
              p.skipChildren();
              break;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String f = p.currentName();
              JsonToken v = p.nextToken();
              if (f.equals("resultType")) {
                resultType = v.isScalarValue() ? p.getValueAsString() : skip(p);
              } else if (f.equals("result") && v == JsonToken.START_ARRAY) {
                List<JsonNode> primitives = new ArrayList<>(2);
                while (p.nextToken() != JsonToken.END_ARRAY) {
                  if (p.currentToken() == JsonToken.START_OBJECT) {
                    Element element = element(p, keep);
                    if (element.matrix) {
                      matrix = true;
                    } else if (element.value == null) {
                      badSeries = true;
                    } else {
                      top.offer(new QueryResult.Series(element.labels, element.value));
                    }
                  } else if (p.currentToken().isScalarValue()) {
                    if (primitives.size() < 2) {
                      primitives.add(TREES.readTree(p));
                    }
                  } else {
                    p.skipChildren();
                    badSeries = true;
                  }
                }
                scalar = primitives.isEmpty() ? null : TREES.valueToTree(primitives);
              } else {
                p.skipChildren();
              }
            }
          }
          default -> p.skipChildren();
        }
      }
      return new Answer(false, status, errorType, error, resultType, scalar, top.series(), top.dropped, matrix,
          badSeries, false);
    } catch (TooManyLabels e) {
      return new Answer(false, null, null, null, null, null, List.of(), 0, false, false, true);
    } catch (IOException | RuntimeException e) {
      return malformed();
    }
  }

  private static Answer malformed() {
    return new Answer(true, null, null, null, null, null, List.of(), 0, false, false, false);
  }

  /** One element of {@code result}, as far as it matters: the kept labels, the sample value, or a matrix. */
  private record Element(Map<String, String> labels, Double value, boolean matrix) {
  }

  /** Reads one {@code {"metric": {...}, "value": [t, "v"]}} from its START_OBJECT to its END_OBJECT. */
  private static Element element(JsonParser p, Labels keep) throws IOException {
    Map<String, String> labels = Map.of();
    Double value = null;
    boolean matrix = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      switch (field) {
        case "metric" -> labels = t == JsonToken.START_OBJECT ? labels(p, keep) : skipped(p, labels);
        case "value" -> value = sample(p);
        case "values" -> {
          matrix = true;
          p.skipChildren();
        }
        default -> p.skipChildren();
      }
    }
    return new Element(labels, value, matrix);
  }

  private static Map<String, String> skipped(JsonParser p, Map<String, String> labels) throws IOException {
    p.skipChildren();
    return labels;
  }

  /** The kept labels of a {@code metric} object, counting every label; from its START_OBJECT to its END_OBJECT. */
  private static Map<String, String> labels(JsonParser p, Labels keep) throws IOException {
    Map<String, String> out = null;
    int count = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if (++count > MAX_LABELS) {
        throw new TooManyLabels();
      }
      if (!v.isScalarValue()) {
        p.skipChildren();
        continue;
      }
      if (keep.keeps(name)) {
        String text = p.getText();
        if (text.length() <= MAX_LABEL_VALUE) {
          if (out == null) {
            out = keep.all() ? new HashMap<>() : new HashMap<>(2);
          }
          out.put(name, text);
        }
      }
    }
    return out == null ? Map.of() : out;
  }

  /** The number of a {@code [timestamp, "value"]} pair at the parser (consumed whole), or null when malformed. */
  private static Double sample(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      p.skipChildren();
      return null;
    }
    int count = 0;
    String text = null;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      count++;
      if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
        p.skipChildren();
      } else if (count == 2 && t == JsonToken.VALUE_STRING) {
        text = p.getText();
      }
    }
    return count == 2 && text != null ? number(text) : null;
  }

  private static String skip(JsonParser p) throws IOException {
    p.skipChildren();
    return null;
  }

  /** A number from a {@code [timestamp, "value"]} pair, or null when malformed. */
  static Double sampleValue(JsonNode pair) {
    if (pair == null || !pair.isArray() || pair.size() != 2 || !pair.get(1).isTextual()) {
      return null;
    }
    return number(pair.get(1).asText());
  }

  private static Double number(String s) {
    return switch (s) {
      case "NaN" -> Double.NaN;
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> {
        try {
          yield Double.parseDouble(s);
        } catch (NumberFormatException e) {
          yield null;
        }
      }
    };
  }

  /** The strongest {@code max} series seen, in arrival order of the kept ones; counts the rest. */
  private static final class Top {
    private static final Comparator<Ranked> WEAKEST_FIRST = Comparator
        .comparingDouble((Ranked r) -> Double.isNaN(r.series.value()) ? Double.NEGATIVE_INFINITY : r.series.value())
        .thenComparing(r -> -r.order);
    private final int max;
    private final PriorityQueue<Ranked> heap = new PriorityQueue<>(WEAKEST_FIRST);
    private int order;
    int dropped;

    Top(int max) {
      this.max = Math.max(1, max);
    }

    void offer(QueryResult.Series s) {
      Ranked r = new Ranked(s, order++);
      if (heap.size() < max) {
        heap.add(r);
      } else if (WEAKEST_FIRST.compare(r, heap.peek()) > 0) {
        heap.poll();
        heap.add(r);
        dropped++;
      } else {
        dropped++;
      }
    }

    List<QueryResult.Series> series() {
      List<Ranked> all = new ArrayList<>(heap);
      all.sort(Comparator.comparingInt(r -> r.order));
      List<QueryResult.Series> out = new ArrayList<>(all.size());
      all.forEach(r -> out.add(r.series));
      return out;
    }
  }

  private record Ranked(QueryResult.Series series, int order) {
  }
}
