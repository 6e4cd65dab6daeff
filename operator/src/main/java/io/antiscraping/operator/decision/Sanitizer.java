package io.antiscraping.operator.decision;

/**
 * The one sanitiser for text that reaches a status, an Event or a log from outside the operator's own words (an
 * exception's message, a Prometheus error, a header): control characters become spaces, runs of spaces collapse, and
 * format characters (bidirectional overrides) are dropped, and the length is capped. It also holds the one
 * truncation every length limit uses.
 */
public final class Sanitizer {

  /** Default cap of a sanitised text. */
  public static final int MAX = 500;

  private Sanitizer() {
  }

  /** Printable single line of at most {@value #MAX} characters; "" for null. */
  public static String sanitize(String s) {
    return sanitize(s, MAX);
  }

  /** Printable single line of at most {@code max} characters (an ellipsis marks a cut); "" for null. */
  public static String sanitize(String s, int max) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(Math.min(s.length(), max + 1));
    boolean space = false;
    for (int i = 0; i < s.length() && sb.length() <= max; i++) {
      char c = s.charAt(i);
      // Format characters include the bidirectional overrides that make a log line read differently: dropped.
      if (Character.getType(c) == Character.FORMAT) {
        continue;
      }
      if (Character.isISOControl(c) || Character.isWhitespace(c)) {
        space = sb.length() > 0;
        continue;
      }
      if (space) {
        sb.append(' ');
        space = false;
      }
      sb.append(c);
    }
    return truncate(sb.toString(), max);
  }

  /**
   * {@code s} cut to at most {@code max} characters, an ellipsis marking the cut (never inside a surrogate pair);
   * the one truncation for every status, Event and message limit.
   */
  public static String truncate(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int cut = Math.max(0, max - 3);
    if (cut > 0 && Character.isLowSurrogate(s.charAt(cut))) {
      cut--;
    }
    return s.substring(0, cut) + "...";
  }

  /** An exception for a status or log line: its type and sanitised message, never its stack. */
  public static String describe(Throwable t) {
    if (t == null) {
      return "unknown error";
    }
    String m = sanitize(t.getMessage(), 300);
    return t.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m);
  }
}
