package io.antiscraping.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A ScrapingPolicy protects the storefront entrypoints it selects: it evaluates PromQL signals,
 * decides a threat level and temporary per-client bans, and writes the matching rate limits and
 * WAF settings into the data plane.
 */
@Group(ScrapingPolicy.GROUP)
@Version(ScrapingPolicy.VERSION)
@Plural("scrapingpolicies")
@Singular("scrapingpolicy")
@ShortNames({"sp", "scrapepol"})
@AdditionalPrinterColumn(name = "Level", jsonPath = ".status.level", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Banned", jsonPath = ".status.bannedCount", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Targets", jsonPath = ".status.targetCount", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Ready", jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class ScrapingPolicy extends CustomResource<ScrapingPolicySpec, ScrapingPolicyStatus> implements Namespaced {

  public static final String GROUP = "antiscraping.io";
  public static final String VERSION = "v1alpha1";

  @Override
  protected ScrapingPolicyStatus initStatus() {
    return new ScrapingPolicyStatus();
  }
}
