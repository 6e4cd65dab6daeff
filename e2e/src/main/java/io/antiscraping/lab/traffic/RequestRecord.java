package io.antiscraping.lab.traffic;

import io.antiscraping.lab.scenario.Scenario.ClientClass;

/**
 * Ground truth of one request, as the traffic generator saw it.
 *
 * @param atMillis  when it was sent, milliseconds since the start of the run
 * @param clientClass who sent it
 * @param group     the client group
 * @param client    the client's true address (the one the load balancer appends to X-Forwarded-For)
 * @param kind      profile, comments, product, post-comment or home
 * @param id        user id (profile) or product id (comments, product)
 * @param status    HTTP status, 0 when the request failed without one
 * @param records   records obtained: 1 per profile or product, one per comment
 * @param latencyMillis time to the response
 */
public record RequestRecord(long atMillis, ClientClass clientClass, String group, String client, String kind, int id,
    int status, int records, long latencyMillis) {

  public boolean ok() {
    return status >= 200 && status < 300;
  }

  /**
   * Denied by the data plane: a limit (503, ingress-nginx's default limit-req-status-code / limit-conn-status-code,
   * or 429 where the ConfigMap sets it) or a deny rule or the WAF (403). The lab's storefront never answers 503
   * itself and nginx answers 502/504 when it cannot reach it, so a 503 is nginx's own: a limit, or a location the
   * controller denied (the lab controller reports those separately).
   */
  public boolean denied() {
    return status == 429 || status == 403 || status == 503;
  }
}
