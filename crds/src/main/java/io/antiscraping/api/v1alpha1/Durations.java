package io.antiscraping.api.v1alpha1;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kubernetes-style durations such as {@code 30s}, {@code 2m}, {@code 1h30m} or {@code 500ms}. */
public final class Durations {

  /** The schema pattern every duration field carries. */
  public static final String PATTERN = "^([0-9]{1,9}(ms|s|m|h))+$";

  private static final Pattern PART = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");
  private static final Pattern WHOLE = Pattern.compile(PATTERN);

  private Durations() {
  }

  /** Parses a duration, or empty when the text is not one. */
  public static Optional<Duration> parse(String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      return Optional.empty();
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      });
    }
    return Optional.of(total);
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
