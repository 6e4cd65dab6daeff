package io.antiscraping.operator.tools;

import java.util.ArrayList;
import java.util.List;

/**
 * promtool's expanding notation for sample values: {@code a+bxn} is {@code a, a+b, ..., a+n*b} (n+1 values),
 * {@code a-bxn} likewise downwards, {@code axn} is {@code a} n+1 times, {@code _} a missing sample and {@code _xn}
 * n of them, {@code NaN}, {@code Inf}, {@code -Inf}, plain numbers. A missing sample is {@code null}. A series holds
 * at most {@value #MAX_SAMPLES} samples: {@code 0+1x2147483647} is an error, not an OutOfMemoryError.
 */
final class SeriesNotation {

  /** The most samples one series may expand to (at one sample per 15 s: 17 days). */
  static final int MAX_SAMPLES = 100_000;

  private SeriesNotation() {
  }

  static List<Double> expand(String text) {
    List<Double> out = new ArrayList<>();
    for (String token : text.trim().split("\\s+")) {
      if (token.isEmpty()) {
        continue;
      }
      int x = token.lastIndexOf('x');
      if (x < 0) {
        room(out, 1, token);
        out.add("_".equals(token) ? null : number(token));
        continue;
      }
      String head = token.substring(0, x);
      int n = count(token.substring(x + 1), token);
      room(out, "_".equals(head) ? n : n + 1L, token);
      if ("_".equals(head)) {
        for (int i = 0; i < n; i++) {
          out.add(null);
        }
        continue;
      }
      int op = -1;
      for (int i = 1; i < head.length(); i++) {
        char c = head.charAt(i);
        if ((c == '+' || c == '-') && Character.toLowerCase(head.charAt(i - 1)) != 'e') {
          op = i;
          break;
        }
      }
      double a = number(op < 0 ? head : head.substring(0, op));
      double b = op < 0 ? 0 : number(head.substring(op + 1)) * (head.charAt(op) == '-' ? -1 : 1);
      for (int i = 0; i <= n; i++) {
        out.add(a + i * b);
      }
    }
    return out;
  }

  private static void room(List<Double> out, long more, String token) {
    if (out.size() + more > MAX_SAMPLES) {
      throw new IllegalArgumentException("\"" + token + "\": a series holds at most " + MAX_SAMPLES + " samples ("
          + "this one would have " + (out.size() + more) + ")");
    }
  }

  private static int count(String s, String token) {
    try {
      int n = Integer.parseInt(s);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + token + "\": the count after x must be a whole number");
    }
  }

  private static double number(String s) {
    switch (s) {
      case "NaN":
        return Double.NaN;
      case "Inf":
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        try {
          return Double.parseDouble(s);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("\"" + s + "\" is not a number (expected a number, NaN, Inf, _ or "
              + "the expanding notation a+bxn)");
        }
    }
  }
}
