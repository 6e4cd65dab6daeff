package io.antiscraping.operator.decision;

import java.util.Arrays;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A compact, versioned binary encoding (then base64) of {@code (prefix, instant)} pairs, so that thousands of bans
 * or pending offenders fit in a status well under the 256 KiB budget: an IPv4 /32 with its time takes about 8 bytes
 * (11 characters), an IPv6 /64 about 12 (16 characters), against ~100 characters as a JSON object.
 *
 * <pre>
 * blob  = version(1 byte, =1) zigzag-varint(base epoch millis) entry*
 * entry = header(1 byte: IPv4 prefix length 0..32, or 64 + IPv6 prefix length 0..128)
 *         the network's first ceil(len/8) bytes, big-endian
 *         varint(epoch millis - base)
 * </pre>
 * Decoding never throws: it stops at the first malformed entry and returns what it read so far.
 */
final class CompactCodec {

  static final int VERSION = 1;

  private CompactCodec() {
  }

  /** Encodes the entries in the given order; null when there are none. */
  static String encode(List<Map.Entry<Cidr, Instant>> entries) {
    if (entries.isEmpty()) {
      return null;
    }
    long base = Long.MAX_VALUE;
    for (Map.Entry<Cidr, Instant> e : entries) {
      base = Math.min(base, e.getValue().toEpochMilli());
    }
    Buffer out = new Buffer(entries.size() * 12 + 16);
    out.write(VERSION);
    writeVarint(out, (base << 1) ^ (base >> 63));
    for (Map.Entry<Cidr, Instant> e : entries) {
      Cidr c = e.getKey();
      out.write(c.ipv6() ? 64 + c.prefixLength() : c.prefixLength());
      byte[] full = toBytes(c.network(), c.ipv6() ? 16 : 4);
      out.write(full, 0, (c.prefixLength() + 7) / 8);
      writeVarint(out, e.getValue().toEpochMilli() - base);
    }
    return Base64.getEncoder().encodeToString(out.toByteArray());
  }

  /** Decodes at most {@code max} entries; malformed input yields the entries before the damage. */
  static List<Map.Entry<Cidr, Instant>> decode(String text, int max) {
    List<Map.Entry<Cidr, Instant>> out = new ArrayList<>();
    if (text == null || text.isEmpty()) {
      return out;
    }
    byte[] b;
    try {
      b = Base64.getDecoder().decode(text.trim());
    } catch (IllegalArgumentException e) {
      return out;
    }
    int[] pos = {0};
    if (b.length < 2 || b[pos[0]++] != VERSION) {
      return out;
    }
    try {
      long zz = readVarint(b, pos);
      long base = (zz >>> 1) ^ -(zz & 1);
      while (pos[0] < b.length && out.size() < max) {
        int h = b[pos[0]++] & 0xff;
        boolean v6;
        int len;
        if (h <= 32) {
          v6 = false;
          len = h;
        } else if (h >= 64 && h <= 192) {
          v6 = true;
          len = h - 64;
        } else {
          return out;
        }
        int n = (len + 7) / 8;
        if (pos[0] + n > b.length) {
          return out;
        }
        byte[] full = new byte[v6 ? 16 : 4];
        System.arraycopy(b, pos[0], full, 0, n);
        pos[0] += n;
        long delta = readVarint(b, pos);
        if (delta < 0) {
          return out;
        }
        long millis = Math.addExact(base, delta);
        out.add(Map.entry(new Cidr(v6, new BigInteger(1, full), len), Instant.ofEpochMilli(millis)));
      }
    } catch (RuntimeException e) {
      // truncated varint, overflow, out-of-range instant: keep what was read
    }
    return out;
  }

  /** A growable byte array (the package does no I/O, so no java.io streams). */
  private static final class Buffer {
    private byte[] buf;
    private int size;

    Buffer(int capacity) {
      buf = new byte[Math.max(16, capacity)];
    }

    void write(int b) {
      if (size == buf.length) {
        buf = Arrays.copyOf(buf, buf.length * 2);
      }
      buf[size++] = (byte) b;
    }

    void write(byte[] b, int off, int len) {
      for (int i = 0; i < len; i++) {
        write(b[off + i]);
      }
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }
  }

  private static byte[] toBytes(BigInteger v, int size) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[size];
    int copy = Math.min(raw.length, size);
    System.arraycopy(raw, raw.length - copy, out, size - copy, copy);
    return out;
  }

  private static void writeVarint(Buffer out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static long readVarint(byte[] b, int[] pos) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= b.length) {
        throw new IllegalArgumentException("truncated");
      }
      int x = b[pos[0]++] & 0xff;
      v |= (long) (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("varint too long");
  }
}
