package io.antiscraping.lab.storefront;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A deterministic fake database: every record is computed from its id and a seed, so two runs serve the same
 * data and nothing is held in memory. Users carry the kind of data taken in the incident that motivates the
 * project: an id, a nickname and a (masked) phone number. Comments name their authors by user id.
 */
public final class FakeDb {

  public static final int DEFAULT_USERS = 100_000;
  public static final int DEFAULT_PRODUCTS = 2_000;

  private static final String[] ADJECTIVES = {"Quiet", "Bright", "Swift", "Gentle", "Bold", "Lucky", "Clever", "Calm"};
  private static final String[] NOUNS = {"Panda", "Otter", "Falcon", "Maple", "River", "Comet", "Tiger", "Willow"};
  private static final String[] ITEMS = {"Kettle", "Backpack", "Headphones", "Lamp", "Sneakers", "Teapot", "Jacket",
      "Keyboard", "Blender", "Umbrella"};
  private static final String[] OPINIONS = {"Works as described.", "Arrived quickly, well packed.",
      "Good value for the price.", "Colour differs a little from the photo.", "Would buy again.",
      "Second one I have bought.", "Sturdier than expected.", "Instructions could be clearer."};

  public record User(int id, String nickname, String phoneMasked) {}

  public record Product(int id, String name, int priceCents) {}

  public record Comment(long id, int productId, int userId, String text) {}

  private final long seed;
  private final int users;
  private final int products;

  public FakeDb(long seed, int users, int products) {
    if (users < 1 || products < 1) {
      throw new IllegalArgumentException("users and products must be positive");
    }
    this.seed = seed;
    this.users = users;
    this.products = products;
  }

  public static FakeDb standard() {
    return new FakeDb(20_190_601L, DEFAULT_USERS, DEFAULT_PRODUCTS);
  }

  public int users() {
    return users;
  }

  public int products() {
    return products;
  }

  public Optional<User> user(int id) {
    if (id < 1 || id > users) {
      return Optional.empty();
    }
    SplittableRandom r = random(1, id);
    String nickname = ADJECTIVES[r.nextInt(ADJECTIVES.length)] + NOUNS[r.nextInt(NOUNS.length)] + r.nextInt(1000);
    // Mobile numbers as the storefront shows them: prefix and last four digits, the middle masked.
    String phone = String.format("1%02d****%04d", 30 + r.nextInt(60), r.nextInt(10_000));
    return Optional.of(new User(id, nickname, phone));
  }

  public Optional<Product> product(int id) {
    if (id < 1 || id > products) {
      return Optional.empty();
    }
    SplittableRandom r = random(2, id);
    String name = ADJECTIVES[r.nextInt(ADJECTIVES.length)] + " " + ITEMS[r.nextInt(ITEMS.length)] + " " + id;
    return Optional.of(new Product(id, name, 199 + r.nextInt(30_000)));
  }

  /** The comments on a product (0 to 4, about 2 on average), each by a user of the database. */
  public List<Comment> comments(int productId) {
    if (productId < 1 || productId > products) {
      return List.of();
    }
    SplittableRandom r = random(3, productId);
    int count = r.nextInt(5);
    List<Comment> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int author = 1 + r.nextInt(users);
      out.add(new Comment((long) productId * 16 + i, productId, author, OPINIONS[r.nextInt(OPINIONS.length)]));
    }
    return out;
  }

  private SplittableRandom random(int table, long id) {
    return new SplittableRandom(seed * 31 + table * 1_000_003L + id * 7_919L);
  }
}
