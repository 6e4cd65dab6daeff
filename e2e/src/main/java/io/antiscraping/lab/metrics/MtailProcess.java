package io.antiscraping.lab.metrics;

import io.antiscraping.lab.support.ChildProcesses;
import io.antiscraping.lab.support.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * mtail (Debian {@code mtail}) running the recipe examples/metrics/nginx-clients.mtail over nginx's access log, on
 * 127.0.0.1 and a free port. mtail starts at the end of the log, so start it before traffic.
 */
public final class MtailProcess implements AutoCloseable {

  public static final Path MTAIL = Path.of("/usr/bin/mtail");
  /** The recipe, packaged into the lab from examples/metrics. */
  public static final String PROGRAM_RESOURCE = "/lab-examples/metrics/nginx-clients.mtail";

  private final Process process;
  private final int port;

  private MtailProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static MtailProcess start(Path workDir, Path accessLog) throws IOException, InterruptedException {
    Path progs = Files.createDirectories(workDir.resolve("mtail-progs"));
    try (InputStream in = MtailProcess.class.getResourceAsStream(PROGRAM_RESOURCE)) {
      if (in == null) {
        throw new IOException("missing resource " + PROGRAM_RESOURCE);
      }
      Files.copy(in, progs.resolve("nginx-clients.mtail"), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.exists(accessLog)) {
      Files.createDirectories(accessLog.getParent());
      Files.createFile(accessLog);
    }
    int port = FreePorts.next();
    ProcessBuilder pb = new ProcessBuilder(MTAIL.toString(), "--progs", progs.toString(), "--logs",
        accessLog.toString(), "--address", "127.0.0.1", "--port", Integer.toString(port), "--logtostderr",
        "--poll_interval", "100ms")
        .redirectErrorStream(true).redirectOutput(workDir.resolve("mtail.log").toFile());
    Process p = ChildProcesses.start(pb);
    MtailProcess mtail = new MtailProcess(p, port);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IOException("mtail exited with " + p.exitValue() + ", see " + workDir.resolve("mtail.log"));
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return mtail;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    mtail.close();
    throw new IOException("mtail did not answer on " + port);
  }

  public String target() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void close() {
    ChildProcesses.stop(process);
  }
}
