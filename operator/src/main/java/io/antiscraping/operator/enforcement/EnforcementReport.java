package io.antiscraping.operator.enforcement;

import java.util.List;

/**
 * What an enforcer did (or, in a dry run, would do) for one policy.
 *
 * @param targets         one entry per selected target
 * @param conflicts       why some targets were left alone (another policy wins, a key set by someone else)
 * @param notEnforceable  parts of the plan this data plane cannot enforce with the operator's settings
 * @param changes         human-readable changes made (or that a dry run would make), one per target
 * @param writes          API writes made
 * @param writeFailures   writes the API server refused, one per target (the other targets were still written)
 */
public record EnforcementReport(List<TargetResult> targets, List<String> conflicts, List<String> notEnforceable,
                                List<String> changes, int writes, List<String> writeFailures) {

  public EnforcementReport {
    targets = List.copyOf(targets);
    conflicts = List.copyOf(conflicts);
    notEnforceable = List.copyOf(notEnforceable);
    changes = List.copyOf(changes);
    writeFailures = List.copyOf(writeFailures);
  }

  public EnforcementReport(List<TargetResult> targets, List<String> conflicts, List<String> notEnforceable,
                           List<String> changes, int writes) {
    this(targets, conflicts, notEnforceable, changes, writes, List.of());
  }

  /** Nothing to report: no target, nothing written. */
  public static final EnforcementReport NONE = new EnforcementReport(List.of(), List.of(), List.of(), List.of(), 0);

  /** Only writes: the changes made (or, in a dry run, that would be made) and the API writes they took. */
  public static EnforcementReport writesOnly(List<String> changes, int writes) {
    return new EnforcementReport(List.of(), List.of(), List.of(), changes, writes);
  }

  /** One target's result. */
  public record TargetResult(String kind, String name, boolean enforced, String message) {
  }
}
