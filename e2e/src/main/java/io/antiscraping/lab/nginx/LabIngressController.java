package io.antiscraping.lab.nginx;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's ingress controller: watches the Ingresses of one namespace (mock API server or a real cluster), renders
 * them with {@link NginxConfigRenderer} and, when the text changed, checks it and reloads nginx. A configuration nginx
 * rejects is kept out and counted, as ingress-nginx does.
 */
public final class LabIngressController implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LabIngressController.class);

  /** One configuration that was applied (or rejected). */
  public record Applied(long atNanos, String config, boolean accepted, String error) {}

  private final NginxProcess nginx;
  private final NginxSettings settings;
  private final SharedIndexInformer<Ingress> informer;
  private final ScheduledExecutorService worker;
  private final AtomicBoolean dirty = new AtomicBoolean();
  private final List<Applied> history = new ArrayList<>();
  private volatile String current;
  private volatile int ingressUpdates;

  private LabIngressController(NginxProcess nginx, NginxSettings settings, String initial,
      SharedIndexInformer<Ingress> informer) {
    this.nginx = nginx;
    this.settings = settings;
    this.current = initial;
    this.informer = informer;
    this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lab-ingress-controller");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Renders the Ingresses now in {@code namespace}, starts nginx with that configuration and follows changes.
   */
  public static LabIngressController start(KubernetesClient client, String namespace, NginxSettings settings)
      throws Exception {
    List<Ingress> now = client.network().v1().ingresses().inNamespace(namespace).list().getItems();
    String initial = NginxConfigRenderer.render(now, settings);
    NginxProcess nginx = NginxProcess.start(settings.prefix(), initial, settings.listenPort());
    SharedIndexInformer<Ingress> informer = client.network().v1().ingresses().inNamespace(namespace).inform();
    LabIngressController controller = new LabIngressController(nginx, settings, initial, informer);
    synchronized (controller.history) {
      controller.history.add(new Applied(System.nanoTime(), initial, true, null));
    }
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Ingress obj) {
        controller.changed();
      }

      @Override
      public void onUpdate(Ingress oldObj, Ingress newObj) {
        if (!Objects.equals(oldObj.getMetadata().getResourceVersion(), newObj.getMetadata().getResourceVersion())) {
          controller.ingressUpdates++;
          controller.changed();
        }
      }

      @Override
      public void onDelete(Ingress obj, boolean deletedFinalStateUnknown) {
        controller.changed();
      }
    });
    controller.worker.scheduleWithFixedDelay(controller::sync, 50, 50, TimeUnit.MILLISECONDS);
    return controller;
  }

  private void changed() {
    dirty.set(true);
  }

  private void sync() {
    if (!dirty.getAndSet(false)) {
      return;
    }
    String next = NginxConfigRenderer.render(new ArrayList<>(informer.getStore().list()), settings);
    if (next.equals(current)) {
      return;
    }
    try {
      nginx.reload(next);
      current = next;
      synchronized (history) {
        history.add(new Applied(System.nanoTime(), next, true, null));
      }
    } catch (Exception e) {
      LOG.warn("nginx rejected the configuration rendered from the Ingresses: {}", e.getMessage());
      synchronized (history) {
        history.add(new Applied(System.nanoTime(), next, false, e.getMessage()));
      }
      current = next; // do not retry the same text; a later change renders again
    }
  }

  /** The configuration nginx runs now (the last accepted one). */
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

  /** Configurations nginx refused. */
  public List<Applied> rejected() {
    return history().stream().filter(a -> !a.accepted()).toList();
  }

  public int reloads() {
    return nginx.reloads();
  }

  /** Updates of watched Ingresses seen (each is one API write by someone). */
  public int ingressUpdates() {
    return ingressUpdates;
  }

  public NginxProcess nginx() {
    return nginx;
  }

  @Override
  public void close() {
    worker.shutdownNow();
    try {
      informer.close();
    } finally {
      nginx.close();
    }
  }
}
