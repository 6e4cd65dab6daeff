package io.antiscraping.operator.detection;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.antiscraping.operator.detection.QueryResult.Failure;
import io.antiscraping.operator.detection.QueryResult.Kind;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** https with a CA bundle: a self-signed certificate made with the JDK's keytool is its own CA. */
class PrometheusClientTlsTest {

  @TempDir
  static Path dir;
  static HttpsServer server;
  static String pem;

  @BeforeAll
  static void start() throws Exception {
    Path ks = dir.resolve("server.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
    pem = run(keytool, "-exportcert", "-rfc", "-alias", "server", "-keystore", ks.toString(),
        "-storepass", "changeit");
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, "changeit".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ctx));
    server.createContext("/", ex -> {
      byte[] b = "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"5\"]}}"
          .getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("%s: %s", String.join(" ", cmd), out).isZero();
    return out;
  }

  PrometheusEndpoint endpoint() {
    return PrometheusEndpoint.of("https://127.0.0.1:" + server.getAddress().getPort());
  }

  @Test
  void theGivenCaIsTrusted() {
    assertThat(new PrometheusClient(QueryObserver.NONE).query(endpoint().withCaPem(pem), "x"))
        .isEqualTo(new QueryResult.Scalar(5));
  }

  @Test
  void withoutTheCaTheServerIsNotTrusted() {
    QueryResult r = new PrometheusClient(QueryObserver.NONE).query(endpoint(), "x");
    assertThat(r).isInstanceOf(Failure.class);
    assertThat(((Failure) r).kind()).isEqualTo(Kind.TLS_ERROR);
    assertThat(((Failure) r).message()).startsWith("TLS with Prometheus at 127.0.0.1:");
  }
}
