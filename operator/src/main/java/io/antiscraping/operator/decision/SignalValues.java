package io.antiscraping.operator.decision;

import io.antiscraping.api.v1alpha1.Signal;
import io.antiscraping.operator.decision.CompiledPolicy.OffendersRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One evaluation's signal values, checked against their declarations: a scalar signal needs a finite single value, a
 * per-client signal one value per client. Client keys that are not addresses or CIDRs, and CIDRs broader than the
 * offenders rule's prefix length on its signal, are counted as invalid; IPv4-mapped IPv6 keys count as the IPv4
 * address and keys naming the same prefix keep the highest value. Metrics are <em>available</em> when every signal
 * a level condition or the offenders rule uses has a usable value.
 */
final class SignalValues {

  /** One signal's value. Exactly one of scalar, clients and error describes it. */
  record Value(String name, boolean perClient, Double scalar, Map<Cidr, Double> clients, int invalid, int leftOut,
               String error) {

    static Value failed(String name, boolean perClient, String error) {
      return new Value(name, perClient, null, null, 0, 0, error);
    }

    SignalSummary summary() {
      if (error != null) {
        return new SignalSummary(name, null, perClient ? 0 : null, perClient ? invalid : null, error);
      }
      if (!perClient) {
        return new SignalSummary(name, scalar, null, null, null);
      }
      double max = Double.NaN;
      boolean any = false;
      for (double v : clients.values()) {
        max = any ? Math.max(max, v) : v;
        any = true;
      }
      return new SignalSummary(name, any ? max : null, clients.size(), invalid, null, leftOut == 0 ? null : leftOut);
    }
  }

  private final Map<String, Value> values;
  private final List<String> failures;

  private SignalValues(Map<String, Value> values, List<String> failures) {
    this.values = values;
    this.failures = failures;
  }

  static SignalValues of(CompiledPolicy policy, Readings readings) {
    Map<String, Value> values = new LinkedHashMap<>();
    for (Signal s : policy.signals.values()) {
      values.put(s.getName(), value(policy, s, readings.get(s.getName())));
    }
    List<String> failures = new ArrayList<>();
    for (String name : policy.referenced) {
      Value v = values.get(name);
      if (v == null) {
        failures.add("signal " + name + ": not declared in spec.signals");
      } else if (v.error() != null) {
        failures.add("signal " + name + ": " + v.error());
      }
    }
    return new SignalValues(values, failures);
  }

  private static Value value(CompiledPolicy policy, Signal s, SignalReading r) {
    String name = s.getName();
    boolean perClient = s.getPerClient() != null;
    if (r instanceof SignalReading.Unavailable u) {
      return Value.failed(name, perClient, u.reason());
    }
    if (r instanceof SignalReading.Scalar sc) {
      if (perClient) {
        return Value.failed(name, true,
            "expected one value per client (label " + s.getPerClient().getLabel() + "), got a single value");
      }
      if (Double.isNaN(sc.value())) {
        return Value.failed(name, false, "value is NaN");
      }
      if (Double.isInfinite(sc.value())) {
        return Value.failed(name, false, "value is " + Formatting.num(sc.value()));
      }
      return new Value(name, false, sc.value(), null, 0, 0, null);
    }
    if (r instanceof SignalReading.PerClient pc) {
      if (!perClient) {
        return Value.failed(name, false, "expected a single value, got one value per client");
      }
      OffendersRule rule = policy.offenders != null && policy.offenders.signal().equals(name)
          ? policy.offenders : null;
      Map<Cidr, Double> clients = new HashMap<>(Math.max(16, pc.values().size() * 2));
      int invalid = pc.unlabeled();
      for (Map.Entry<String, Double> en : pc.values().entrySet()) {
        Double v = en.getValue();
        var c = Cidr.parse(en.getKey()).map(Cidr::unmapIpv4);
        if (c.isEmpty() || (rule != null && c.get().prefixLength() < rule.prefixLength(c.get()))) {
          invalid++;
        } else if (v != null && Double.isFinite(v)) {
          clients.merge(c.get(), v, Math::max);
        }
      }
      return new Value(name, true, null, clients, invalid, pc.leftOut(), null);
    }
    throw new IllegalStateException("unknown reading " + r);
  }

  /** Whether every signal the decisions use has a usable value. */
  boolean available() {
    return failures.isEmpty();
  }

  /** Why metrics are unavailable ("signal x: reason; ..."); empty while they are available. */
  String failureText() {
    return String.join("; ", failures);
  }

  /** A scalar signal's value, or null when it has none. */
  Double scalar(String name) {
    Value v = values.get(name);
    return v == null ? null : v.scalar();
  }

  /** A per-client signal's values by client, or null when it has none (failed, or not per client). */
  Map<Cidr, Double> clients(String name) {
    Value v = values.get(name);
    return v == null ? null : v.clients();
  }

  /** One summary per declared signal, in declaration order. */
  List<SignalSummary> summaries() {
    List<SignalSummary> out = new ArrayList<>(values.size());
    for (Value v : values.values()) {
      out.add(v.summary());
    }
    return out;
  }

  /** The used scalar signals' values, as {@code " (a=1, b=2)"}, or empty. */
  String scalarText(CompiledPolicy policy) {
    List<String> parts = new ArrayList<>();
    for (String name : policy.referenced) {
      Double v = scalar(name);
      if (v != null) {
        parts.add(name + "=" + Formatting.num(v));
      }
    }
    return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
  }

  /** The MetricsAvailable message while metrics are available: what was evaluated, and unused signals that failed. */
  String availableMessage(CompiledPolicy policy) {
    StringBuilder sb = new StringBuilder("All ").append(policy.referenced.size())
        .append(" signals the decisions use were evaluated");
    List<String> unused = new ArrayList<>();
    for (Value v : values.values()) {
      if (!policy.referenced.contains(v.name()) && v.error() != null) {
        unused.add("signal " + v.name() + " (unused): " + v.error());
      }
    }
    if (!unused.isEmpty()) {
      sb.append("; ").append(String.join("; ", unused));
    }
    return sb.toString();
  }
}
