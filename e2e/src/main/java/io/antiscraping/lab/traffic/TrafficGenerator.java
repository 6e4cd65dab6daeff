package io.antiscraping.lab.traffic;

import io.antiscraping.lab.scenario.Scenario;
import io.antiscraping.lab.scenario.Scenario.ClientClass;
import io.antiscraping.lab.scenario.Scenario.ClientGroup;
import io.antiscraping.lab.storefront.FakeDb;
import io.antiscraping.lab.storefront.Storefront;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Sends a scenario's traffic to nginx and records the ground truth of every request. Each virtual client has its
 * own address, which a modelled load balancer appends to X-Forwarded-For (after whatever the client wrote there
 * itself). Runs for the scenario's duration and stops by itself; {@link #run()} returns when the last response is in.
 */
public final class TrafficGenerator {

  /** The Host header the lab's Ingress serves. */
  public static final String HOST = "shop.example";
  public static final String RESTRICTED_HEADERS_PROPERTY = "jdk.httpclient.allowRestrictedHeaders";

  private static final List<String> BROWSERS = List.of(
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
      "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36");

  private final Scenario scenario;
  private final URI base;
  private final FakeDb db;
  private final String allowlistedClaim;
  private final IntFunction<String> signIn;
  private final HttpClient http;
  private final ExecutorService httpExecutor;
  private final ScheduledExecutorService scheduler;
  private final Queue<RequestRecord> records = new ConcurrentLinkedQueue<>();
  private final Queue<String> failures = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final List<String> shopperAddresses = new ArrayList<>();
  private long startNanos;
  private long endMillis;

  /**
   * @param base              nginx, e.g. http://127.0.0.1:PORT
   * @param allowlistedClaim  an address of the policy allowlist, for clients that claim one in X-Forwarded-For
   * @param signIn            the storefront's sign-in: a shopper's session token for its own user id, sent with each
   *                          of its requests (null: shoppers are not signed in). Crawlers never have one for the ids
   *                          they read.
   */
  public TrafficGenerator(Scenario scenario, URI base, FakeDb db, String allowlistedClaim,
      IntFunction<String> signIn) {
    this.signIn = signIn;
    if (System.getProperty(RESTRICTED_HEADERS_PROPERTY) == null) {
      System.setProperty(RESTRICTED_HEADERS_PROPERTY, "host");
    }
    this.scenario = scenario;
    this.base = base;
    this.db = db;
    this.allowlistedClaim = allowlistedClaim;
    this.httpExecutor = Executors.newFixedThreadPool(4, daemon("traffic-http"));
    this.scheduler = Executors.newScheduledThreadPool(2, daemon("traffic"));
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(httpExecutor)
        .connectTimeout(Duration.ofSeconds(2)).build();
    checkHostHeaderAllowed();
    for (ClientGroup g : scenario.groups(ClientClass.SHOPPER)) {
      shopperAddresses.addAll(addresses(scenario, g));
    }
  }

  /** Every address a group may send from (surge clients, shared and rotated addresses included). */
  public static List<String> addresses(Scenario scenario, ClientGroup g) {
    return AddressPlan.of(scenario, g).pool();
  }

  private void checkHostHeaderAllowed() {
    try {
      HttpRequest.newBuilder(base).header("Host", HOST).build();
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("The JDK HTTP client refuses the Host header: start the JVM with -D"
          + RESTRICTED_HEADERS_PROPERTY + "=host (the lab sets it unless another HTTP client was created first)", e);
    }
  }

  /** Sends the scenario's traffic; returns the ground truth, ordered by send time. */
  public List<RequestRecord> run() throws InterruptedException {
    startNanos = System.nanoTime();
    endMillis = scenario.runTime().toMillis();
    long seed = scenario.seed();
    int groupIndex = 0;
    for (ClientGroup g : scenario.clients()) {
      AddressPlan plan = AddressPlan.of(scenario, g);
      SplittableRandom groupRandom = new SplittableRandom(seed * 1_000_003L + groupIndex++);
      Enumeration enumeration = new Enumeration(groupRandom.split());
      for (int i = 0; i < plan.clients(); i++) {
        boolean surgeClient = i >= g.count();
        long from = g.startTime().toMillis();
        long to = g.stopTime(scenario.runTime()).toMillis();
        if (surgeClient) {
          from = g.surge().startTime().toMillis();
          to = Math.min(to, from + g.surge().length().toMillis());
        }
        int rampIndex = surgeClient ? i - g.count() : i;
        int rampCount = surgeClient ? plan.clients() - g.count() : g.count();
        from += g.rampTime().toMillis() * rampIndex / Math.max(1, rampCount);
        if (g.stayTime() != null) {
          to = Math.min(to, from + g.stayTime().toMillis());
        }
        Client c = g.behaviour().equals("browse")
            ? new Shopper(g, plan, i, groupRandom.split(), from, to)
            : new Enumerator(g, plan, i, groupRandom.split(), from, to, enumeration);
        c.scheduleFirst();
      }
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(endMillis + 15_000);
    Thread.sleep(endMillis);
    scheduler.shutdown();
    scheduler.awaitTermination(10, TimeUnit.SECONDS);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    scheduler.shutdownNow();
    httpExecutor.shutdownNow();
    List<RequestRecord> out = new ArrayList<>(records);
    out.sort((a, b) -> Long.compare(a.atMillis(), b.atMillis()));
    return out;
  }

  /**
   * The requests that got no response or a 5xx other than a limit's 503, one line each: when (ms since the start),
   * the visitor, its address, the request, how long it waited and why (the report's failed-requests file).
   */
  public List<String> failures() {
    return List.copyOf(failures);
  }

  /** Ground truth so far (for live progress). */
  public List<RequestRecord> snapshot() {
    return List.copyOf(records);
  }

  private long now() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  private abstract class Client {
    final ClientGroup group;
    final AddressPlan plan;
    final int index;
    final SplittableRandom random;
    final long from;
    final long to;
    String address;
    int sent;

    Client(ClientGroup group, AddressPlan plan, int index, SplittableRandom random, long from, long to) {
      this.group = group;
      this.plan = plan;
      this.address = plan.address(index, 0);
      this.index = index;
      this.random = random;
      this.from = from;
      this.to = to;
    }

    abstract long firstDelay();

    abstract long nextDelay();

    abstract Request nextRequest();

    void scheduleFirst() {
      schedule(from + firstDelay());
    }

    void schedule(long atMillis) {
      if (atMillis >= to || atMillis >= endMillis) {
        return;
      }
      try {
        scheduler.schedule(this::fire, Math.max(0, atMillis - now()), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException stopped) {
        // the run is over
      }
    }

    void fire() {
      long at = now();
      if (at >= to || at >= endMillis) {
        return;
      }
      address = plan.address(index, at - from);
      Request r = nextRequest();
      send(this, r, at);
      schedule(at + nextDelay());
    }

    String forwardedFor() {
      if (group.forwardedFor().isEmpty()) {
        return address;
      }
      String claim = group.forwardedFor().get(sent % group.forwardedFor().size());
      if ("shopper".equals(claim)) {
        claim = shopperAddresses.isEmpty() ? "198.51.100.1" : shopperAddresses.get(random.nextInt(shopperAddresses.size()));
      } else if ("allowlisted".equals(claim)) {
        claim = allowlistedClaim;
      }
      return claim + ", " + address;
    }

    String userAgent() {
      List<String> agents = group.userAgents().isEmpty() ? BROWSERS : group.userAgents();
      if (group.behaviour().equals("enumerate")) {
        return agents.get((index + sent) % agents.size());
      }
      return agents.get(index % agents.size());
    }
  }

  record Request(String method, String path, String kind, int id, String body, String accept) {}

  /** Ids a crawler group walks through together, and the ones it must retry. */
  private final class Enumeration {
    final AtomicLong nextProfile;
    final AtomicLong nextProduct;
    final Queue<Integer> retryProfiles = new ConcurrentLinkedQueue<>();
    final Queue<Integer> retryProducts = new ConcurrentLinkedQueue<>();

    Enumeration(SplittableRandom random) {
      nextProfile = new AtomicLong(random.nextInt(db.users()));
      nextProduct = new AtomicLong(random.nextInt(db.products()));
    }

    int profile() {
      Integer retry = retryProfiles.poll();
      return retry != null ? retry : (int) (nextProfile.getAndIncrement() % db.users()) + 1;
    }

    int product() {
      Integer retry = retryProducts.poll();
      return retry != null ? retry : (int) (nextProduct.getAndIncrement() % db.products()) + 1;
    }
  }

  private final class Enumerator extends Client {
    final Enumeration enumeration;
    final long interval;

    Enumerator(ClientGroup g, AddressPlan plan, int index, SplittableRandom random, long from, long to,
        Enumeration enumeration) {
      super(g, plan, index, random, from, to);
      this.enumeration = enumeration;
      this.interval = Math.max(1, Math.round(1000.0 / g.ratePerClient()));
    }

    @Override
    long firstDelay() {
      return (long) (random.nextDouble() * interval);
    }

    @Override
    long nextDelay() {
      return Math.max(1, Math.round(interval * (0.8 + 0.4 * random.nextDouble())));
    }

    @Override
    Request nextRequest() {
      String kind = pick(group.mix(), random, "profile");
      return switch (kind) {
        case "comments" -> {
          int p = enumeration.product();
          yield new Request("GET", "/api/products/" + p + "/comments", "comments", p, null, "application/json");
        }
        case "product" -> {
          int p = enumeration.product();
          yield new Request("GET", "/products/" + p, "product", p, null, "text/html");
        }
        default -> {
          int u = enumeration.profile();
          yield new Request("GET", "/api/users/" + u, "profile", u, null, "application/json");
        }
      };
    }

    void retry(Request r) {
      if (r.kind().equals("profile")) {
        enumeration.retryProfiles.add(r.id());
      } else {
        enumeration.retryProducts.add(r.id());
      }
    }
  }

  private final class Shopper extends Client {
    final Zipf popularity;
    final int ownUserId;
    /** The session token of the shopper's account (signed in), or null. */
    final String session;
    int product;
    boolean visitStart = true;

    Shopper(ClientGroup g, AddressPlan plan, int index, SplittableRandom random, long from, long to) {
      super(g, plan, index, random, from, to);
      this.popularity = new Zipf(db.products(), g.zipf());
      this.ownUserId = 1 + random.nextInt(db.users());
      this.session = signIn == null ? null : signIn.apply(ownUserId);
      this.product = productForRank(popularity.next(random));
    }

    @Override
    long firstDelay() {
      return (long) (random.nextDouble() * group.meanThinkTime().toMillis());
    }

    @Override
    long nextDelay() {
      long min = group.shortestThinkTime().toMillis();
      long mean = Math.max(1, group.meanThinkTime().toMillis() - min);
      return min + Math.round(-Math.log(1 - random.nextDouble()) * mean);
    }

    @Override
    Request nextRequest() {
      if (visitStart) {
        visitStart = false;
        if (random.nextDouble() < group.ownProfile()) {
          return new Request("GET", "/api/users/" + ownUserId, "profile", ownUserId, null, "application/json");
        }
      }
      if (random.nextDouble() < 1.0 / group.meanVisitLength()) {
        visitStart = true;
      }
      String kind = pick(group.mix(), random, "product");
      switch (kind) {
        case "comments":
          return new Request("GET", "/api/products/" + product + "/comments", "comments", product, null,
              "application/json");
        case "post-comment":
          return new Request("POST", "/api/products/" + product + "/comments", "post-comment", product,
              "{\"text\":\"Arrived on time, does what it says.\"}", "application/json");
        case "commenter-profile":
          List<FakeDb.Comment> comments = db.comments(product);
          if (!comments.isEmpty()) {
            int user = comments.get(random.nextInt(comments.size())).userId();
            return new Request("GET", "/api/users/" + user, "profile", user, null, "application/json");
          }
          // fall through: no comment to follow, look at another product
        default:
          product = productForRank(popularity.next(random));
          return new Request("GET", "/products/" + product, "product", product, null, "text/html");
      }
    }

    private int productForRank(int rank) {
      return (int) ((rank * 7_919L) % db.products()) + 1;
    }
  }

  private static String pick(Map<String, Double> mix, SplittableRandom random, String fallback) {
    double total = mix.values().stream().mapToDouble(Double::doubleValue).sum();
    if (total <= 0) {
      return fallback;
    }
    double r = random.nextDouble() * total;
    for (Map.Entry<String, Double> e : new java.util.TreeMap<>(mix).entrySet()) {
      r -= e.getValue();
      if (r < 0) {
        return e.getKey();
      }
    }
    return fallback;
  }

  private void send(Client c, Request r, long at) {
    c.sent++;
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(r.path()))
        .timeout(Duration.ofSeconds(5))
        .header("Host", HOST)
        .header("User-Agent", c.userAgent())
        .header("Accept", r.accept())
        .header("Accept-Language", "en-GB,en;q=0.8")
        .header("X-Forwarded-For", c.forwardedFor());
    if (c instanceof Shopper s && s.session != null) {
      b.header("Cookie", Storefront.SESSION_COOKIE + "=" + s.session);
    }
    if (r.body() != null) {
      b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(r.body()));
    } else {
      b.GET();
    }
    inFlight.incrementAndGet();
    long sentNanos = System.nanoTime();
    String address = c.address;
    String visitor = c.group.name() + "#" + c.index;
    http.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((resp, error) -> {
      try {
        int status = error == null ? resp.statusCode() : 0;
        if (error != null || (status >= 500 && status != 503)) {
          Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
          failures.add(at + " " + visitor + " " + address + " " + r.method() + " " + r.path() + " after "
              + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentNanos) + " ms: "
              + (error != null ? cause : "answered " + status));
        }
        int got = 0;
        if (status == 200) {
          got = switch (r.kind()) {
            case "profile", "product" -> 1;
            case "comments" -> db.comments(r.id()).size();
            default -> 0;
          };
        } else if (c instanceof Enumerator e && r.kind().matches("profile|comments|product")) {
          e.retry(r);
        }
        records.add(new RequestRecord(at, c.group.clientClass(), c.group.name(), address, r.kind(), r.id(), status,
            got, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentNanos), visitor));
      } finally {
        inFlight.decrementAndGet();
      }
    });
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
