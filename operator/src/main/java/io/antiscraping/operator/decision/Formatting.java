package io.antiscraping.operator.decision;

import io.antiscraping.api.v1alpha1.Durations;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Formatting and parsing shared by the engine and the status codec. */
final class Formatting {

  private Formatting() {
  }

  /** A value the way a user reads it: {@code 42}, {@code 42.5}, {@code 0.00125}, {@code NaN}, {@code +Inf}. */
  static String num(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    double a = Math.abs(v);
    if (a >= 1e-6 && a < 1e15) {
      return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }
    return Double.toString(v);
  }

  static String duration(Duration d) {
    return Durations.format(d);
  }

  /** Up to {@code max} items joined with ", ", then "and N more". */
  static String list(List<String> items, int max) {
    return list(items, java.util.function.Function.identity(), max);
  }

  /**
   * As {@link #list(List, int)} with each item's text made by {@code text}, for the listed items only (an event lists
   * ten of possibly thousands).
   */
  static <T> String list(List<T> items, java.util.function.Function<? super T, String> text, int max) {
    List<String> listed = new java.util.ArrayList<>(Math.min(items.size(), max));
    for (int i = 0; i < items.size() && i < max; i++) {
      listed.add(text.apply(items.get(i)));
    }
    return items.size() <= max ? String.join(", ", listed)
        : String.join(", ", listed) + " and " + (items.size() - max) + " more";
  }

  /** RFC 3339 text of an instant (UTC, {@code Z}). */
  static String time(Instant t) {
    return t == null ? null : t.toString();
  }

  /** Parses RFC 3339 text (any offset); null when absent or unparseable. */
  static Instant parseTime(String s) {
    if (s == null || s.isBlank() || s.length() > 64) {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  static Duration parseDuration(String s, Duration fallback) {
    return Durations.parse(s).orElse(fallback);
  }
}
