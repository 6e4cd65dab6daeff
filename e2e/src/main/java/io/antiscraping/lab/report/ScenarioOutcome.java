package io.antiscraping.lab.report;

import java.util.List;
import java.util.Map;

/**
 * The measured outcome of one scenario run, from the traffic generator's ground truth and the observed timeline.
 * Null durations mean "did not happen". {@code foreignClientLabels}: values of the per-client metric's {@code client}
 * label that are no client's true address (forged X-Forwarded-For values that reached the metrics).
 */
public record ScenarioOutcome(
    String scenario,
    String description,
    String policy,
    double runSeconds,
    long requests,
    List<GroupOutcome> groups,
    long shopperRequests,
    long shopperDenied,
    double shopperDenialShare,
    long shopperErrors,
    long searchBotRequests,
    long searchBotDenied,
    int crawlerProfileRecords,
    int crawlerProfileRecordsBeforeContainment,
    int crawlerCommentRecords,
    int crawlerCommentRecordsBeforeContainment,
    Double crawlerRecordsPerSecondBeforeContainment,
    Double timeToContainSeconds,
    List<String> everBanned,
    List<String> wrongfulBans,
    int maxBanned,
    List<Timeline.LevelChange> levels,
    String baselineLevel,
    Double backToBaselineSeconds,
    Double attackEndSeconds,
    int ingressWrites,
    int statusWrites,
    int nginxReloads,
    Boolean nginxRestoredAfterDelete,
    List<String> foreignClientLabels,
    List<String> notes,
    int crawlerAddresses,
    Double profileRecordsPerCrawlerAddress,
    Double nginxReloadsPerMinute,
    long arrivalRequests,
    long arrivalDenied,
    long arrivalProtectedRequests,
    long arrivalProtectedDenied,
    Map<String, Double> shopperFeatureQuantiles) {

  /**
   * One client group.
   *
   * @param timeToContainSeconds from the group's first request until its success rate stays under 5 % over every
   *                             5 s window; null when that never happened while it was sending
   */
  public record GroupOutcome(String name, String clientClass, int clients, long requests, long ok, long denied,
      long errors, Double firstRequestSeconds, Double timeToContainSeconds, int profileRecords, int commentRecords,
      int productRecords, int addresses) {}
}
