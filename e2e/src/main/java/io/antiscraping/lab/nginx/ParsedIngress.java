package io.antiscraping.lab.nginx;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.List;

/**
 * What the controller's annotation parsers make of one Ingress: either its parsed annotations, or the reason the
 * controller refuses the whole Ingress (a risky annotation, or an annotation value that fails its validator).
 */
public sealed interface ParsedIngress permits ParsedIngress.Accepted, ParsedIngress.Refused {

  Ingress ingress();

  /**
   * The annotations of an accepted Ingress, as the controller's parsers return them.
   *
   * @param rps             limit-rps (0: none)
   * @param rpm             limit-rpm (0: none)
   * @param burstMultiplier limit-burst-multiplier (5 when absent or not an integer)
   * @param connections     limit-connections (0: none)
   * @param limitAllowlist  limit-allowlist (alias limit-whitelist), normalised and sorted as {@code net.ParseCIDRs}
   * @param denylist        denylist-source-range, normalised and sorted
   * @param allowlist       allowlist-source-range (alias whitelist-source-range), normalised and sorted
   * @param denied          why the Ingress's locations answer 503 instead ({@code Location denied}), or null
   * @param modsecurity     enable-modsecurity
   * @param owaspCoreRules  enable-owasp-core-rules
   * @param snippet         modsecurity-snippet after the controller's line trimming, null when none or dropped
   * @param droppedSnippet  the snippet was removed because allow-snippet-annotations is false
   */
  record Annotations(int rps, int rpm, int burstMultiplier, int connections, List<String> limitAllowlist,
      List<String> denylist, List<String> allowlist, String denied, boolean modsecurity, boolean owaspCoreRules,
      String snippet, boolean droppedSnippet) {

    public Annotations {
      limitAllowlist = List.copyOf(limitAllowlist);
      denylist = List.copyOf(denylist);
      allowlist = List.copyOf(allowlist);
    }

    /** The controller creates the rate-limit maps when any limit annotation is non-zero. */
    boolean rateLimited() {
      return rps != 0 || rpm != 0 || connections != 0;
    }
  }

  record Accepted(Ingress ingress, Annotations annotations) implements ParsedIngress {}

  /** The controller refuses the Ingress: its admission webhook rejects the write, its store keeps the last good one. */
  record Refused(Ingress ingress, String reason) implements ParsedIngress {}
}
