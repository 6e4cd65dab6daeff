package io.antiscraping.operator.decision;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** The readings of one evaluation cycle, by signal name. A declared signal without a reading counts as unavailable. */
public record Readings(Map<String, SignalReading> bySignal) {

  public Readings {
    Objects.requireNonNull(bySignal, "bySignal");
    bySignal = Map.copyOf(bySignal);
  }

  public static Readings of(Map<String, SignalReading> bySignal) {
    return new Readings(bySignal);
  }

  /** Readings built fluently, e.g. {@code Readings.builder().scalar("a", 1).build()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The reading of {@code signal}, or {@link SignalReading.Unavailable} when there is none. */
  public SignalReading get(String signal) {
    SignalReading r = bySignal.get(signal);
    return r != null ? r : new SignalReading.Unavailable("no reading for signal " + signal);
  }

  public static final class Builder {
    private final Map<String, SignalReading> map = new LinkedHashMap<>();

    private Builder() {
    }

    public Builder scalar(String signal, double value) {
      map.put(signal, new SignalReading.Scalar(value));
      return this;
    }

    public Builder perClient(String signal, Map<String, Double> values) {
      map.put(signal, new SignalReading.PerClient(values));
      return this;
    }

    public Builder unavailable(String signal, String reason) {
      map.put(signal, new SignalReading.Unavailable(reason));
      return this;
    }

    public Builder put(String signal, SignalReading reading) {
      map.put(signal, reading);
      return this;
    }

    public Readings build() {
      return new Readings(map);
    }
  }
}
