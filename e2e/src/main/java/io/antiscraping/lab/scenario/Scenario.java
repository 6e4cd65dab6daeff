package io.antiscraping.lab.scenario;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.antiscraping.api.v1alpha1.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A lab scenario, loaded from a YAML file: who sends traffic to the storefront, when, and under which policy. Times
 * are offsets from the start of the run. The file format is documented in docs/lab/scenarios.md ("Scenario files").
 *
 * @param name        short name used in the report
 * @param description what the scenario models
 * @param policy      path of the ScrapingPolicy YAML, relative to the scenario file
 * @param seed        seed of every random choice, so two runs send the same traffic
 * @param seeds       a family: the lab runs the scenario once per seed, as {@code <name>-s<seed>} [just {@code seed}]
 * @param duration    how long traffic runs; after it the lab waits for the level to return to the baseline
 * @param expect      what the scenario must show (the e2e tests assert it)
 * @param clients     the client groups
 * @param controller  the ingress controller's ConfigMap keys this run changes from the setup the operator requires
 *                    (e.g. {@code proxy-real-ip-cidr: 0.0.0.0/0}, {@code annotations-risk-level: High}); none by default
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record Scenario(String name, String description, String policy, Long seed, List<Long> seeds, String duration,
    Expectations expect, List<ClientGroup> clients, java.util.Map<String, String> controller, @JsonIgnore Path file) {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  public Scenario {
    Objects.requireNonNull(name, "scenario name");
    if (!name.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException("scenario name must be lowercase letters, digits and dashes: " + name);
    }
    Objects.requireNonNull(policy, "scenario policy");
    seed = seed == null ? 1L : seed;
    seeds = seeds == null ? List.of() : List.copyOf(seeds);
    if (seeds.size() != new java.util.HashSet<>(seeds).size()) {
      throw new IllegalArgumentException("scenario " + name + " lists a seed twice");
    }
    expect = expect == null ? new Expectations(null, null, null, null, null) : expect;
    controller = controller == null ? java.util.Map.of() : java.util.Map.copyOf(controller);
    clients = clients == null ? List.of() : List.copyOf(clients);
    if (clients.isEmpty()) {
      throw new IllegalArgumentException("scenario " + name + " has no clients");
    }
    duration(duration, "duration");
  }

  public static Scenario load(Path file) throws IOException {
    Scenario s = YAML.readValue(Files.readString(file), Scenario.class);
    return new Scenario(s.name, s.description, s.policy, s.seed, s.seeds, s.duration, s.expect, s.clients,
        s.controller, file.toAbsolutePath());
  }

  /** The runs of this file: itself, or one scenario per seed of {@code seeds}, named {@code <name>-s<seed>}. */
  public List<Scenario> variants() {
    if (seeds.isEmpty()) {
      return List.of(this);
    }
    return seeds.stream().map(s -> new Scenario(name + "-s" + s, description, policy, s, List.of(), duration, expect,
        clients, controller, file)).toList();
  }

  public Path policyFile() {
    Path base = file == null ? Path.of(".") : file.getParent();
    return base.resolve(policy).normalize();
  }

  public Duration runTime() {
    return duration(duration, "duration");
  }

  public List<ClientGroup> groups(ClientClass cls) {
    List<ClientGroup> out = new ArrayList<>();
    for (ClientGroup g : clients) {
      if (g.clientClass() == cls) {
        out.add(g);
      }
    }
    return out;
  }

  /** When the first crawler starts, or null without crawlers. */
  public Duration attackStart() {
    return groups(ClientClass.CRAWLER).stream().map(ClientGroup::startTime).min(Duration::compareTo).orElse(null);
  }

  /** When the last crawler stops, or null without crawlers. */
  public Duration attackEnd() {
    return groups(ClientClass.CRAWLER).stream().map(g -> g.stopTime(runTime())).max(Duration::compareTo).orElse(null);
  }

  static Duration duration(String text, String field) {
    if (text == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    return Durations.parse(text).orElseThrow(() -> new IllegalArgumentException(field + ": not a duration: " + text));
  }

  /**
   * What the run must show. Null fields take the defaults in brackets.
   *
   * @param containWithin         every crawler group contained within this after its first request [60s]
   * @param maxShopperDenialShare shopper requests denied (503/429/403) as a share of all shopper requests [0.001]
   * @param maxProfileRecords     unique profile records all crawlers may obtain in total [no bound]
   * @param maxWrongfulBans       bans covering an address that is not a crawler's [0]
   */
  /**
   * @param conditions policy conditions the run must show at some observation ({@code type}, {@code status} and, when
   *                   given, {@code reason}): how the operator reports a misconfiguration the scenario sets up
   */
  public record Expectations(String containWithin, Double maxShopperDenialShare, Integer maxProfileRecords,
      Integer maxWrongfulBans, List<ExpectedCondition> conditions) {

    public Expectations {
      conditions = conditions == null ? List.of() : List.copyOf(conditions);
    }

    public Duration containWithinDuration() {
      return containWithin == null ? Duration.ofSeconds(60) : duration(containWithin, "expect.containWithin");
    }

    public double shopperDenialShare() {
      return maxShopperDenialShare == null ? 0.001 : maxShopperDenialShare;
    }

    public int wrongfulBans() {
      return maxWrongfulBans == null ? 0 : maxWrongfulBans;
    }
  }

  /** A policy condition a scenario expects to see: {@code type=status} and, when not null, its reason. */
  public record ExpectedCondition(String type, String status, String reason) {
    public ExpectedCondition {
      Objects.requireNonNull(type, "expect.conditions[].type");
      Objects.requireNonNull(status, "expect.conditions[].status");
    }

    /** Whether an observed {@code type=status (reason)} is this one. */
    public boolean matches(String observed) {
      return reason == null ? observed.startsWith(type + "=" + status + " ")
          : observed.equals(type + "=" + status + " (" + reason + ")");
    }
  }

  /** Whom a client group stands for in the ground truth. */
  public enum ClientClass {
    @com.fasterxml.jackson.annotation.JsonProperty("shopper")
    SHOPPER,
    @com.fasterxml.jackson.annotation.JsonProperty("crawler")
    CRAWLER,
    @com.fasterxml.jackson.annotation.JsonProperty("search-bot")
    SEARCH_BOT;

    public String label() {
      return switch (this) {
        case SHOPPER -> "shopper";
        case CRAWLER -> "crawler";
        case SEARCH_BOT -> "search-bot";
      };
    }
  }

  /**
   * A group of clients that behave alike.
   *
   * <p>Shoppers ({@code behaviour: browse}) wait a think time between requests, pick products by a skewed (Zipf)
   * popularity, read comments now and then, post a comment rarely, view their own profile once per visit at most and
   * a commenter's profile rarely. Crawlers and bots ({@code behaviour: enumerate}) request at a fixed pace per address
   * and walk the id space of the routes in {@code mix}.
   *
   * @param name          group name in the report
   * @param clientClass   shopper, crawler or search-bot (ground truth)
   * @param behaviour     browse or enumerate
   * @param count         number of clients (each with one address) [1]
   * @param addresses     the CIDR their addresses are drawn from (distinct, deterministic)
   * @param start         when the group starts [0s]
   * @param stop          when it stops [end of the run]
   * @param ramp          clients start spread evenly over this time after {@code start} [0s]
   * @param thinkTime     browse: mean think time between requests (exponential) [5s]
   * @param minThinkTime  browse: shortest think time [500ms]
   * @param zipfExponent  browse: product popularity skew [1.1]
   * @param ratePerClient enumerate: requests per second per client
   * @param mix           weights of routes: browse keys product, comments, post-comment, commenter-profile;
   *                      enumerate keys profile, comments, product
   * @param ownProfilePerVisit browse: probability of viewing one's own profile at the start of a visit [0.5]
   * @param visitLength   browse: mean requests per visit [25]
   * @param userAgents    user agents, rotated per request (enumerate) or one per client (browse)
   * @param forwardedFor  values the client itself puts in X-Forwarded-For before the load balancer appends the true
   *                      address: an address, any text, or the words {@code shopper} (a shopper's address) and
   *                      {@code allowlisted} (an address from the policy allowlist)
   * @param surge         browse: extra clients joining for a while (a flash sale)
   * @param spread        draw the group's addresses scattered across {@code addresses} (seeded by the scenario seed
   *                      and the group name), as residential proxy pools are, instead of the first ones in order
   *                      [false]
   * @param sharedAddresses the group's clients share this many addresses, round robin (CGNAT, office NAT); several
   *                      clients then send from one address [every client its own address]
   * @param rotateEvery   every client moves to a fresh address of the group after this long, staggered across the
   *                      group (rotating proxy pools; for browse, mobile shoppers who change address mid-visit)
   *                      [never]
   * @param stayFor       every client stops this long after its own start: with {@code ramp}, a stream of new
   *                      visitors arriving over time [until the group's stop]
   */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public record ClientGroup(String name, @com.fasterxml.jackson.annotation.JsonProperty("class") ClientClass clientClass,
      String behaviour, Integer count, String addresses, String start, String stop, String ramp, String thinkTime,
      String minThinkTime, Double zipfExponent, Double ratePerClient, Map<String, Double> mix, Double ownProfilePerVisit,
      Integer visitLength, List<String> userAgents, List<String> forwardedFor, Surge surge, Boolean spread,
      Integer sharedAddresses, String rotateEvery, String stayFor) {

    public ClientGroup {
      Objects.requireNonNull(name, "client group name");
      Objects.requireNonNull(clientClass, "class of client group " + name);
      Objects.requireNonNull(addresses, "addresses of client group " + name);
      behaviour = behaviour == null ? (clientClass == ClientClass.SHOPPER ? "browse" : "enumerate") : behaviour;
      if (!behaviour.equals("browse") && !behaviour.equals("enumerate")) {
        throw new IllegalArgumentException(name + ": behaviour must be browse or enumerate: " + behaviour);
      }
      count = count == null ? 1 : count;
      if (count < 1 || count > 100_000) {
        throw new IllegalArgumentException(name + ": count must be 1..100000");
      }
      if (behaviour.equals("enumerate") && (ratePerClient == null || ratePerClient <= 0)) {
        throw new IllegalArgumentException(name + ": enumerate needs a positive ratePerClient");
      }
      mix = mix == null ? Map.of() : Map.copyOf(mix);
      userAgents = userAgents == null ? List.of() : List.copyOf(userAgents);
      forwardedFor = forwardedFor == null ? List.of() : List.copyOf(forwardedFor);
      spread = spread != null && spread;
      if (sharedAddresses != null && (sharedAddresses < 1 || sharedAddresses > count)) {
        throw new IllegalArgumentException(name + ": sharedAddresses must be 1..count");
      }
      if (sharedAddresses != null && rotateEvery != null) {
        throw new IllegalArgumentException(name + ": sharedAddresses and rotateEvery do not combine");
      }
      if (rotateEvery != null && duration(rotateEvery, name + ".rotateEvery").toMillis() < 1000) {
        throw new IllegalArgumentException(name + ": rotateEvery must be at least 1s");
      }
      if (stayFor != null) {
        duration(stayFor, name + ".stayFor");
      }
    }

    /** How long each client keeps an address, or null when it keeps one for the whole run. */
    public Duration rotationInterval() {
      return rotateEvery == null ? null : duration(rotateEvery, name + ".rotateEvery");
    }

    /** How long each client stays after its own start, or null: until the group stops. */
    public Duration stayTime() {
      return stayFor == null ? null : duration(stayFor, name + ".stayFor");
    }

    public Duration startTime() {
      return start == null ? Duration.ZERO : duration(start, name + ".start");
    }

    public Duration stopTime(Duration runTime) {
      return stop == null ? runTime : duration(stop, name + ".stop");
    }

    public Duration rampTime() {
      return ramp == null ? Duration.ZERO : duration(ramp, name + ".ramp");
    }

    public Duration meanThinkTime() {
      return thinkTime == null ? Duration.ofSeconds(5) : duration(thinkTime, name + ".thinkTime");
    }

    public Duration shortestThinkTime() {
      return minThinkTime == null ? Duration.ofMillis(500) : duration(minThinkTime, name + ".minThinkTime");
    }

    public double zipf() {
      return zipfExponent == null ? 1.1 : zipfExponent;
    }

    public double ownProfile() {
      return ownProfilePerVisit == null ? 0.5 : ownProfilePerVisit;
    }

    public int meanVisitLength() {
      return visitLength == null ? 25 : visitLength;
    }
  }

  /**
   * Extra shoppers for a while: {@code factor} times the group's count in total (5: four times as many join).
   */
  public record Surge(Double factor, String start, String duration) {

    public double multiplier() {
      return factor == null ? 5.0 : factor;
    }

    public Duration startTime() {
      return Scenario.duration(start, "surge.start");
    }

    public Duration length() {
      return Scenario.duration(duration, "surge.duration");
    }
  }
}
