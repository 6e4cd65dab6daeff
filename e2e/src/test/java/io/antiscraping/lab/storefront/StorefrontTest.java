package io.antiscraping.lab.storefront;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class StorefrontTest {

  final HttpClient http = HttpClient.newHttpClient();

  HttpResponse<String> get(Storefront s, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theFakeDatabaseIsDeterministicAndMasksPhones() {
    FakeDb a = FakeDb.standard();
    FakeDb b = FakeDb.standard();
    assertThat(a.users()).isEqualTo(100_000);
    assertThat(a.user(42)).isEqualTo(b.user(42));
    assertThat(a.user(42).orElseThrow().phoneMasked()).matches("1\\d{2}\\*{4}\\d{4}");
    assertThat(a.user(0)).isEmpty();
    assertThat(a.user(100_001)).isEmpty();
    assertThat(a.comments(7)).isEqualTo(b.comments(7)).allSatisfy(c -> assertThat(c.userId()).isBetween(1, 100_000));
    double mean = java.util.stream.IntStream.rangeClosed(1, a.products()).map(p -> a.comments(p).size()).average()
        .orElseThrow();
    assertThat(mean).isBetween(1.5, 2.5);
  }

  HttpResponse<String> get(Storefront s, String path, String cookie) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).header("Cookie", cookie)
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aProfileAnswerSaysWhetherTheSignedInCustomerReadTheirOwnRecord() throws Exception {
    try (Storefront s = Storefront.start(FakeDb.standard(), 0); Storefront other = Storefront.start(FakeDb.standard(), 0)) {
      String session = "session=" + s.signIn(42);
      assertThat(get(s, "/api/users/42", "theme=dark; " + session).headers().firstValue(Storefront.RECORD_OWNER_HEADER))
          .hasValue("self");
      // somebody else's profile, with or without a session, is "other"
      assertThat(get(s, "/api/users/43", session).headers().firstValue(Storefront.RECORD_OWNER_HEADER)).hasValue("other");
      assertThat(get(s, "/api/users/42").headers().firstValue(Storefront.RECORD_OWNER_HEADER)).hasValue("other");
      // a token the storefront did not issue: forged for the id read, altered, or issued by another storefront
      String forged = "session=42." + "0".repeat(64);
      String altered = "session=43" + s.signIn(42).substring(2);
      for (String cookie : List.of(forged, altered, "session=" + other.signIn(42), "session=42", "session=.x")) {
        assertThat(get(s, "/api/users/42", cookie).headers().firstValue(Storefront.RECORD_OWNER_HEADER))
            .as(cookie).hasValue("other");
      }
      // only profiles carry the header
      assertThat(get(s, "/products/5", session).headers().firstValue(Storefront.RECORD_OWNER_HEADER)).isEmpty();
      // the storefront's own count of records keeps the one own profile apart from the 7 of somebody else
      assertThat(get(s, "/metrics").body()).contains("storefront_records_served_total{kind=\"own-profile\",} 1.0")
          .contains("storefront_records_served_total{kind=\"profile\",} 7.0");
    }
  }

  @Test
  void servesRecordsAndCountsThemByKind() throws Exception {
    FakeDb db = FakeDb.standard();
    try (Storefront s = Storefront.start(db, 0)) {
      HttpResponse<String> user = get(s, "/api/users/42");
      assertThat(user.statusCode()).isEqualTo(200);
      assertThat(user.body()).contains("\"id\":42").contains(db.user(42).orElseThrow().phoneMasked());
      int productWithComments = java.util.stream.IntStream.rangeClosed(1, 100).filter(p -> db.comments(p).size() == 3)
          .findFirst().orElseThrow();
      assertThat(get(s, "/api/products/" + productWithComments + "/comments").body()).contains("userId");
      assertThat(get(s, "/products/5").statusCode()).isEqualTo(200);
      assertThat(get(s, "/api/users/100001").statusCode()).isEqualTo(404);
      assertThat(get(s, "/nope").statusCode()).isEqualTo(404);
      String metrics = get(s, "/metrics").body();
      assertThat(metrics).contains("storefront_records_served_total{kind=\"profile\",} 1.0")
          .contains("storefront_records_served_total{kind=\"comment\",} 3.0")
          .contains("storefront_records_served_total{kind=\"product\",} 1.0")
          .contains("storefront_http_requests_total{route=\"/api/users/{id}\",method=\"GET\",status=\"404\",} 1.0");
    }
  }
}
