package io.antiscraping.operator.decision;

/**
 * The outcome of one signal at one evaluation, as shown in the status.
 *
 * @param name           signal name
 * @param value          the value; for a per-client signal the highest client value; null when unavailable or when
 *                       no client had a value
 * @param clients        per-client signals: clients with a usable value; null for scalar signals
 * @param invalidClients per-client signals: client keys ignored because they are not an IP address or CIDR, are
 *                       missing, or name a prefix broader than the offenders rule allows; null for scalar signals
 * @param error          why the signal produced no value; null when it did
 * @param leftOut        per-client signals: series of the answer left out by the operator's cap (the weakest); null
 *                       when none were
 */
public record SignalSummary(String name, Double value, Integer clients, Integer invalidClients, String error,
                            Integer leftOut) {

  public SignalSummary(String name, Double value, Integer clients, Integer invalidClients, String error) {
    this(name, value, clients, invalidClients, error, null);
  }
}
