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
 */
final class AnswerReader {

  /** Series kept of one vector. */
  static final int DEFAULT_MAX_SERIES = 20_000;
  private static final int MAX_DEPTH = 16;
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()).build();
  private static final ObjectMapper TREES = new ObjectMapper(FACTORY);

  private AnswerReader() {
  }

  /**
   * What the answer said, as far as it was understood.
   *
   * @param malformed the body is not JSON, or not a JSON object, or too deep
   */
  record Answer(boolean malformed, String status, String errorType, String error, String resultType,
                JsonNode scalar, List<QueryResult.Series> series, int dropped, boolean matrix, boolean badSeries) {
  }

  static Answer read(byte[] body, int maxSeries) {
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
                    JsonNode element = TREES.readTree(p);
                    if (element.has("values")) {
                      matrix = true;
                    } else {
                      Double value = sampleValue(element.path("value"));
                      if (value == null) {
                        badSeries = true;
                      } else {
                        top.offer(new QueryResult.Series(labels(element.path("metric")), value));
                      }
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
          badSeries);
    } catch (IOException | RuntimeException e) {
      return malformed();
    }
  }

  private static Answer malformed() {
    return new Answer(true, null, null, null, null, null, List.of(), 0, false, false);
  }

  private static String skip(JsonParser p) throws IOException {
    p.skipChildren();
    return null;
  }

  private static Map<String, String> labels(JsonNode metric) {
    Map<String, String> out = new HashMap<>();
    metric.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  /** A number from a {@code [timestamp, "value"]} pair, or null when malformed. */
  static Double sampleValue(JsonNode pair) {
    if (pair == null || !pair.isArray() || pair.size() != 2 || !pair.get(1).isTextual()) {
      return null;
    }
    String s = pair.get(1).asText();
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
