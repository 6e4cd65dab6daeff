package io.antiscraping.api.v1alpha1;

import java.time.Duration;
import java.util.Optional;

/** Kubernetes-style durations such as {@code 30s}, {@code 2m}, {@code 1h30m} or {@code 500ms}. */
public final class Durations {

  /** The schema pattern every duration field carries. */
  public static final String PATTERN = "^([0-9]{1,9}(ms|s|m|h))+$";

  /** Whether a text has the shape of a duration (whatever its length); for messages only. */
  public static final java.util.function.Predicate<String> PATTERN_MATCHES =
      t -> t != null && t.length() <= 256 && t.matches("([0-9]{1,9}(ms|s|m|h))+");

  /** The longest duration text accepted (the schema's maxLength on every duration field). */
  public static final int MAX_LENGTH = 32;
  /** The longest duration accepted: ten years (a longer one is a typo, and would overflow time arithmetic). */
  public static final Duration MAX = Duration.ofDays(3650);

  private Durations() {
  }

  /**
   * Parses a duration, or empty when the text is not one, is longer than {@value #MAX_LENGTH} characters or names
   * more than {@link #MAX}. A single left-to-right scan: no regular expression, so no input can make it recurse.
   */
  public static Optional<Duration> parse(String text) {
    if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    long totalMillis = 0;
    int i = 0;
    int n = text.length();
    while (i < n) {
      int start = i;
      while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
        i++;
      }
      if (i == start || i - start > 9) {
        return Optional.empty();
      }
      long value = Long.parseLong(text.substring(start, i));
      long unit;
      if (text.startsWith("ms", i)) {
        unit = 1;
        i += 2;
      } else if (i < n && text.charAt(i) == 's') {
        unit = 1000;
        i++;
      } else if (i < n && text.charAt(i) == 'm') {
        unit = 60_000;
        i++;
      } else if (i < n && text.charAt(i) == 'h') {
        unit = 3_600_000;
        i++;
      } else {
        return Optional.empty();
      }
      totalMillis += value * unit;
      if (totalMillis > MAX.toMillis()) {
        return Optional.empty();
      }
    }
    return Optional.of(Duration.ofMillis(totalMillis));
  }

  /** Formats a duration the way users write them: {@code 1h30m}, {@code 45s}, {@code 250ms}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    long h = d.toHours();
    long m = d.toMinutesPart();
    long s = d.toSecondsPart();
    long ms = d.toMillisPart();
    if (h > 0) {
      sb.append(h).append('h');
    }
    if (m > 0) {
      sb.append(m).append('m');
    }
    if (s > 0) {
      sb.append(s).append('s');
    }
    if (ms > 0) {
      sb.append(ms).append("ms");
    }
    return sb.toString();
  }
}
