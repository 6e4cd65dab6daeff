package io.antiscraping.lab.nginx;

import io.antiscraping.lab.support.FreePorts;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's ingress controller: watches the Ingresses of one namespace (mock API server or a real cluster) and
 * configures {@link ControllerSettings#replicas()} nginx replicas behind a load balancer that spreads requests over
 * them, the way ingress-nginx (v1.15) does:
 *
 * <ul>
 *   <li><b>store</b>: every Ingress goes through {@link AnnotationParser}. One the controller refuses (a risky or
 *       invalid annotation) is not taken: the store keeps the last version it accepted, or none
 *       ({@code store.syncIngress} / {@code annotations.Extract}). Without an admission webhook nothing tells the
 *       writer: the configuration simply stops following the Ingress;</li>
 *   <li><b>sync queue</b>: changes are coalesced: each sync first takes a token from a bucket refilled at
 *       {@code --sync-rate-limit} per second holding one ({@code flowcontrol.NewTokenBucketRateLimiter(0.3, 1)}),
 *       then renders the store as it is then; events older than the start of the last sync are skipped
 *       ({@code task.Queue}). A sync whose text differs checks it with {@code nginx -t} and reloads;</li>
 *   <li><b>replicas</b>: every replica gets every configuration; each keeps its own limit zones.</li>
 * </ul>
 * A configuration nginx rejects is kept out and counted, as ingress-nginx does.
 */
public final class LabIngressController implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LabIngressController.class);

  /**
   * One configuration that was applied, or a rejection: nginx refused the text, or the controller refused an Ingress
   * ({@code config} is then null and the running configuration did not change).
   */
  public record Applied(long atNanos, String config, boolean accepted, String error) {}

  private final ControllerSettings controller;
  private final List<NginxSettings> replicaSettings;
  private final List<NginxProcess> replicas = new ArrayList<>();
  private volatile NginxProcess loadBalancer;
  private final SharedIndexInformer<Ingress> informer;
  private final Thread worker;
  private final LinkedBlockingQueue<Long> events = new LinkedBlockingQueue<>();
  private final List<Applied> history = new ArrayList<>();
  /** The controller's store: the last accepted parse of every Ingress, by namespace/name. */
  private final Map<String, ParsedIngress.Accepted> store = new HashMap<>();
  /** Refusal already reported, by namespace/name: the resourceVersion refused. */
  private final Map<String, String> refusedVersions = new HashMap<>();
  private final List<String> current = new ArrayList<>();
  private final TokenBucket bucket;
  private final int listenPort;
  private volatile int ingressUpdates;
  private volatile int syncs;
  private volatile int reloads;
  private volatile long lastSyncStart = Long.MIN_VALUE;

  private LabIngressController(ControllerSettings controller, List<NginxSettings> replicaSettings,
      SharedIndexInformer<Ingress> informer, int listenPort) {
    this.listenPort = listenPort;
    this.controller = controller;
    this.replicaSettings = replicaSettings;
    this.informer = informer;
    this.bucket = new TokenBucket(controller.syncRateLimit(), 1);
    this.worker = new Thread(this::run, "lab-ingress-controller");
    this.worker.setDaemon(true);
  }

  /**
   * Renders the Ingresses now in {@code namespace}, starts the replicas and the load balancer (listening on
   * {@code settings.listenPort()}) and follows changes.
   */
  public static LabIngressController start(KubernetesClient client, String namespace, NginxSettings settings)
      throws Exception {
    ControllerSettings c = settings.controller();
    List<NginxSettings> replicaSettings = new ArrayList<>();
    for (int i = 0; i < c.replicas(); i++) {
      NginxSettings rs = settings.forReplica(i, FreePorts.next());
      NginxProcess.prepareDirectories(rs.prefix());
      replicaSettings.add(rs);
    }
    SharedIndexInformer<Ingress> informer = client.network().v1().ingresses().inNamespace(namespace).inform();
    LabIngressController controller = new LabIngressController(c, replicaSettings, informer, settings.listenPort());
    try {
      List<Ingress> now = client.network().v1().ingresses().inNamespace(namespace).list().getItems();
      controller.bucket.tryTake(); // the first sync of a starting controller takes the bucket's token
      controller.syncs++;
      controller.updateStore(now);
      for (NginxSettings rs : replicaSettings) {
        String text = NginxConfigRenderer.renderParsed(controller.accepted(), rs);
        controller.replicas.add(NginxProcess.start(rs.prefix(), text, rs.listenPort()));
        controller.current.add(text);
      }
      Path lbPrefix = settings.prefix().resolve("load-balancer");
      NginxProcess.prepareDirectories(lbPrefix);
      controller.loadBalancer = NginxProcess.start(lbPrefix, LoadBalancerConfig.render(lbPrefix,
          settings.listenPort(), replicaSettings.stream().map(NginxSettings::listenPort).toList()),
          settings.listenPort());
    } catch (Exception e) {
      controller.close();
      throw e;
    }
    synchronized (controller.history) {
      controller.history.add(new Applied(System.nanoTime(), controller.current.get(0), true, null));
    }
    LabIngressController self = controller;
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Ingress obj) {
        self.events.add(System.nanoTime());
      }

      @Override
      public void onUpdate(Ingress oldObj, Ingress newObj) {
        if (!Objects.equals(oldObj.getMetadata().getResourceVersion(), newObj.getMetadata().getResourceVersion())) {
          self.ingressUpdates++;
          self.events.add(System.nanoTime());
        }
      }

      @Override
      public void onDelete(Ingress obj, boolean deletedFinalStateUnknown) {
        self.events.add(System.nanoTime());
      }
    });
    controller.worker.start();
    return controller;
  }

  private void run() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        long event = events.take();
        List<Long> pending = new ArrayList<>(List.of(event));
        events.drainTo(pending);
        if (pending.stream().allMatch(t -> t < lastSyncStart)) {
          continue; // skippable: a sync that started after these events already saw them
        }
        long start = System.nanoTime();
        bucket.take();
        sync();
        lastSyncStart = start;
      }
    } catch (InterruptedException stop) {
      Thread.currentThread().interrupt();
    }
  }

  private void sync() throws InterruptedException {
    syncs++;
    updateStore(new ArrayList<>(informer.getStore().list()));
    List<String> next = new ArrayList<>();
    for (NginxSettings rs : replicaSettings) {
      next.add(NginxConfigRenderer.renderParsed(accepted(), rs));
    }
    if (next.equals(current)) {
      return;
    }
    try {
      for (int i = 0; i < replicas.size(); i++) {
        if (!next.get(i).equals(current.get(i))) {
          replicas.get(i).reload(next.get(i));
        }
      }
      reloads++;
      synchronized (history) {
        history.add(new Applied(System.nanoTime(), next.get(0), true, null));
      }
    } catch (java.io.IOException e) {
      LOG.warn("nginx rejected the configuration rendered from the Ingresses: {}", e.getMessage());
      synchronized (history) {
        history.add(new Applied(System.nanoTime(), next.get(0), false, e.getMessage()));
      }
    }
    current.clear();
    current.addAll(next); // do not retry the same text; a later change renders again
  }

  /** The controller's store update: accepted versions replace, refused ones leave the last accepted in place. */
  private void updateStore(List<Ingress> ingresses) {
    Map<String, Ingress> byKey = new HashMap<>();
    for (Ingress i : ingresses) {
      byKey.put(key(i), i);
    }
    store.keySet().retainAll(byKey.keySet());
    refusedVersions.keySet().retainAll(byKey.keySet());
    for (Map.Entry<String, Ingress> e : byKey.entrySet()) {
      ParsedIngress parsed = AnnotationParser.parse(e.getValue(), controller);
      if (parsed instanceof ParsedIngress.Accepted a) {
        ParsedIngress.Accepted before = store.put(e.getKey(), a);
        refusedVersions.remove(e.getKey());
        String denied = a.annotations().denied();
        if (denied != null && (before == null || !denied.equals(before.annotations().denied()))) {
          String message = "Ingress " + e.getKey() + ": every location answers 503 (Location denied: " + denied + ")";
          LOG.warn(message);
          synchronized (history) {
            history.add(new Applied(System.nanoTime(), null, false, message));
          }
        }
      } else if (parsed instanceof ParsedIngress.Refused r) {
        String version = e.getValue().getMetadata().getResourceVersion();
        if (!Objects.equals(refusedVersions.put(e.getKey(), String.valueOf(version)), String.valueOf(version))) {
          String message = "the controller refused Ingress " + e.getKey() + " (" + r.reason() + "); it keeps "
              + (store.containsKey(e.getKey()) ? "the last version it accepted" : "no version of it");
          LOG.warn(message);
          synchronized (history) {
            history.add(new Applied(System.nanoTime(), null, false, message));
          }
        }
      }
    }
  }

  private List<ParsedIngress.Accepted> accepted() {
    return new ArrayList<>(store.values());
  }

  private static String key(Ingress i) {
    return (i.getMetadata().getNamespace() == null ? "default" : i.getMetadata().getNamespace()) + "/"
        + i.getMetadata().getName();
  }

  /** The configuration replica 0 runs now (the last accepted one); every replica runs the same but for its paths. */
  public String runningConfig() {
    synchronized (history) {
      for (int i = history.size() - 1; i >= 0; i--) {
        if (history.get(i).accepted()) {
          return history.get(i).config();
        }
      }
    }
    return null;
  }

  public List<Applied> history() {
    synchronized (history) {
      return List.copyOf(history);
    }
  }

  /**
   * Configurations nginx refused, Ingresses the controller refused, and Ingresses whose locations it denied (they
   * answer 503).
   */
  public List<Applied> rejected() {
    return history().stream().filter(a -> !a.accepted()).toList();
  }

  /** Reloads each replica did: syncs that changed the configuration (the controller's own count, per replica). */
  public int reloads() {
    return reloads;
  }

  /** Syncs run (each took a token of the sync rate limit), with or without a reload. */
  public int syncs() {
    return syncs;
  }

  /** Where the load balancer listens: the storefront's address for clients. */
  public int listenPort() {
    return listenPort;
  }

  public int replicas() {
    return replicas.size();
  }

  public ControllerSettings controllerSettings() {
    return controller;
  }

  /** Updates of watched Ingresses seen (each is one API write by someone). */
  public int ingressUpdates() {
    return ingressUpdates;
  }

  /** Replica 0's nginx. */
  public NginxProcess nginx() {
    return replicas.get(0);
  }

  /** The load balancer's error log: the answers it made itself (502/504 when no replica answered) say why. */
  public Path loadBalancerErrorLog() {
    return loadBalancer.errorLog();
  }

  /** The error log of every replica. */
  public List<Path> errorLogs() {
    return replicas.stream().map(NginxProcess::errorLog).toList();
  }

  @Override
  public void close() {
    worker.interrupt();
    try {
      informer.close();
    } finally {
      if (loadBalancer != null) {
        loadBalancer.close();
      }
      replicas.forEach(NginxProcess::close);
    }
  }

  /** {@code k8s.io/client-go/util/flowcontrol} token bucket: {@code qps} tokens per second, at most {@code burst}. */
  static final class TokenBucket {
    private final double qps;
    private final double burst;
    private double tokens;
    private long last = System.nanoTime();

    TokenBucket(double qps, int burst) {
      this.qps = qps;
      this.burst = burst;
      this.tokens = burst;
    }

    synchronized boolean tryTake() {
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }

    /** Blocks until a token is available and takes it ({@code Accept()}). */
    void take() throws InterruptedException {
      while (true) {
        long waitNanos;
        synchronized (this) {
          refill();
          if (tokens >= 1) {
            tokens -= 1;
            return;
          }
          waitNanos = (long) ((1 - tokens) / qps * 1e9);
        }
        TimeUnit.NANOSECONDS.sleep(Math.max(1_000_000, waitNanos));
      }
    }

    private void refill() {
      long now = System.nanoTime();
      tokens = Math.min(burst, tokens + (now - last) / 1e9 * qps);
      last = now;
    }
  }
}
