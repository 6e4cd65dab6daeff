package io.antiscraping.lab.support;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every child process the lab starts is registered here and stopped by a JVM shutdown hook, also when a run fails
 * or is interrupted: nothing the lab starts outlives it.
 */
public final class ChildProcesses {

  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::stopAll, "lab-child-processes"));
  }

  private ChildProcesses() {}

  public static Process start(ProcessBuilder builder) throws IOException {
    Process p = builder.start();
    RUNNING.add(p);
    return p;
  }

  /** SIGTERM, then SIGKILL after 5 s; also stops the process's own children. */
  public static void stop(Process p) {
    if (p == null) {
      return;
    }
    try {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      RUNNING.remove(p);
    }
  }

  public static void stopAll() {
    for (Process p : Set.copyOf(RUNNING)) {
      stop(p);
    }
  }
}
