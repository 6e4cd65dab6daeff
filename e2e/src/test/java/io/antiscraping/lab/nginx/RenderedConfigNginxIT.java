package io.antiscraping.lab.nginx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every golden-file case, rendered with real paths, is accepted by the real nginx with ModSecurity and the CRS. */
class RenderedConfigNginxIT {

  @TempDir
  Path prefix;

  static java.util.stream.Stream<String> cases() throws Exception {
    return NginxConfigRendererTest.cases();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void nginxAcceptsTheRenderedConfiguration(String name) throws Exception {
    NginxProcess.preparePrefix(prefix);
    NginxProcess.prepareCrsInclude(prefix);
    NginxSettings real = NginxConfigRendererTest.settings(name, prefix);
    String conf = NginxConfigRenderer.render(NginxConfigRendererTest.ingresses(name), real);
    Path file = prefix.resolve("nginx.conf");
    Files.writeString(file, conf);
    Process p = new ProcessBuilder(List.of(NginxProcess.NGINX.toString(), "-t", "-c", file.toString(), "-p",
        prefix + "/", "-e", prefix.resolve("logs/error.log").toString())).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }
}
