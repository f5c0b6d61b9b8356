package dev.sluice.it.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates hostile HTTP/1.1 requests from a seed: structured requests whose every part (method,
 * path, query, protocol headers, body, framing) may be malformed, byte-level mutations of valid
 * requests, raw garbage, and pipelines. The same seed gives the same sequence.
 *
 * <p>Requests that may <em>succeed</em> only ever address the {@code fz-*} streams; the streams the
 * test wrote first ({@code keep-*}) only get reads and writes that are invalid by construction, so
 * their bytes must come back unchanged. Not thread-safe.
 */
final class RequestFuzzer {

  /** One request (or pipeline) to send. {@code methods} as in {@link RawHttp#exchange}. */
  record Case(String kind, byte[] bytes, List<String> methods) {
    /** The bytes, printable (non-ASCII and control bytes escaped), cut at {@code max} characters. */
    String printable(int max) {
      var sb = new StringBuilder();
      for (byte b : bytes) {
        int c = b & 0xff;
        if (c == '\r') sb.append("\\r");
        else if (c == '\n') sb.append("\\n\n    ");
        else if (c < 0x20 || c >= 0x7f) sb.append(String.format("\\x%02x", c));
        else sb.append((char) c);
        if (sb.length() > max) return sb.append(" ...(").append(bytes.length).append(" bytes)").toString();
      }
      return sb.toString();
    }
  }

  static final String ROOT = "/v1/stream/";

  private static final String[] NUMBERS = {"0", "1", "2", "-1", "-0", "+5", "00001", "1.5", "1e3", "0x10", "NaN",
      "Infinity", "9007199254740991", "9007199254740992", "9223372036854775807", "9223372036854775808",
      "-9223372036854775809", "18446744073709551616", "99999999999999999999999999999999", "", " ", "1,2", "1 2",
      "\u0663", "\uff11", "\u00b2", "1\u0000", "\t7", "٣٣"};
  private static final String[] DATES = {"2099-01-01T00:00:00Z", "2099-01-01T00:00:00.123456789+05:30",
      "2000-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "2030-02-30T00:00:00Z", "2030-02-29T00:00:00Z",
      "2030-01-01T24:00:00Z", "2030-01-01T23:59:60Z", "2030-13-01T00:00:00Z", "+999999999-12-31T23:59:59Z",
      "-999999999-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "2030-01-01T00:00:00+99:99", "2030-01-01",
      "tomorrow", "", "2099-01-01t00:00:00z", "2099-01-01T00:00Z", "\u0662\u0660\u0663\u0660-01-01T00:00:00Z"};
  private static final String[] OFFSETS = {"-1", "now", "", "0000000000000000_0000000000000000",
      "0000000000000000_0000000000000005", "9999999999999999_9999999999999999", "999999999999999999_999999999999999999",
      "9999999999999999999_1", "1_1", "1_", "_1", "-2", "NOW", "%00", "a,b", "..%2F..%2F", "%FF", "%zz", "0_0%0D%0A",
      "1%2C2", "%20", "-1%00", "\u0661_\u0661"};
  private static final String[] CONTENT_TYPES = {"text/plain", "application/json", "application/octet-stream",
      "TEXT/PLAIN; charset=utf-8", "application/json; charset=utf-8", "", "garbage", "text/", "/plain", "*/*",
      "text/plain; charset=bogus", "multipart/form-data", "text/plain;;;", "a/b; c=\"\\\"", "text/plain\u00e9"};
  private static final String[] NAMES = {"fz-0", "fz-1", "fz-2", "fz-3", "fz-4", "fz-5", "fz-6", "fz-7", "fz/a/b",
      "fz-json", "fz-closed"};
  private static final String[] BAD_NAMES = {"", "/", "//", "fz-1/", "/fz-1", "fz-1//x", ".", "..", "%2e%2e", "./fz-1",
      "fz-1/../fz-2", "fz%00", "fz%0A", "fz%0D%0Ax", "fz%FF", "fz%FE", "%C0%AF", "%ED%A0%80", "%EF%BF%BD", "fz%",
      "fz%z", "fz%2", "fz%2F", "fz%2F%2Fx", "fz%7F", "fz%C2%85", "__ds", "__ds/jwks.json", "fz-1?x", "fz-1#frag",
      "fz;p=1", "fz+1", "fz 1", "fz\"1", "fz<1>", "fz\\1", "fz{1}", "fz|1", "fz^1", "fz`1", "fz\u00e9", "fz\u0000",
      "fz\t1"};
  private static final String[] KNOWN_METHODS = {"PUT", "POST", "GET", "HEAD", "DELETE", "OPTIONS"};
  private static final String[] ODD_METHODS = {"PATCH", "TRACE", "CONNECT", "BREW", "get", "Post", "PRI", "M-SEARCH",
      "PROPFIND", "", "G ET", "GET\u0000", "\u00e9"};
  private static final String[] VERSIONS = {"HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/1.2",
      "HTTP/2.0", "HTTP/0.9", "http/1.1", "HTTP/1.1 x", "", "HTTP/11"};
  private static final String[] PROTOCOL_HEADERS = {"Stream-TTL", "Stream-Expires-At", "Stream-Closed", "Stream-Seq",
      "Stream-Forked-From", "Stream-Fork-Offset", "Stream-Fork-Sub-Offset", "Producer-Id", "Producer-Epoch",
      "Producer-Seq", "If-None-Match", "Content-Type", "Content-Encoding", "Expect", "Connection", "Accept-Encoding",
      "Range", "Upgrade", "Host", "Content-Length", "Transfer-Encoding", "stream-ttl", "PRODUCER-EPOCH", "Origin",
      "Access-Control-Request-Method", "Cookie", "Authorization"};

  private final Random random;
  private final List<String> keepReadable;
  private final List<String> keepWritable;

  /**
   * @param keepReadable encoded names of the streams written before the barrage, all readable
   * @param keepWritable the subset that is open (a bad write there must not change it)
   */
  RequestFuzzer(long seed, List<String> keepReadable, List<String> keepWritable) {
    this.random = new Random(seed);
    this.keepReadable = List.copyOf(keepReadable);
    this.keepWritable = List.copyOf(keepWritable);
  }

  Case next() {
    return generate();
  }

  private Case generate() {
    int roll = random.nextInt(100);
    if (roll < 40) return structured();
    if (roll < 55) return keepRead();
    if (roll < 68) return keepBadWrite();
    if (roll < 88) return mutated();
    if (roll < 95) return garbage();
    return pipeline();
  }

  // ---------------------------------------------------------------- structured, fz-* only

  private Case structured() {
    String method = random.nextInt(10) == 0 ? pick(ODD_METHODS) : pick(KNOWN_METHODS);
    String name = random.nextInt(4) == 0 ? pick(BAD_NAMES) : pick(NAMES);
    if (random.nextInt(30) == 0) name = "fz-" + "x".repeat(1500 + random.nextInt(3000));
    var r = new Req(method, ROOT + name + query(), random.nextInt(12) == 0 ? pick(VERSIONS) : "HTTP/1.1");
    int headers = random.nextInt(7);
    for (int i = 0; i < headers; i++) protocolHeader(r);
    if (random.nextInt(3) > 0) r.header("Content-Type", pick(CONTENT_TYPES));
    if (random.nextInt(40) == 0) for (int i = 0; i < 70; i++) r.header("X-Many-" + i, "v");
    if (random.nextInt(40) == 0) r.header("X-Big", "a".repeat(9000));
    framing(r, body());
    return new Case("structured", r.bytes(), List.of(method));
  }

  private String query() {
    var parts = new ArrayList<String>();
    int n = random.nextInt(4);
    for (int i = 0; i < n; i++) {
      switch (random.nextInt(8)) {
        case 0, 1, 2 -> parts.add("offset=" + pick(OFFSETS));
        case 3 -> parts.add("live=" + pick(new String[] {"long-poll", "sse", "", "LONG-POLL", "websocket", "%FF", "sse%00"}));
        case 4 -> parts.add("cursor=" + pick(NUMBERS).replace(" ", "%20"));
        case 5 -> parts.add("offset");
        case 6 -> parts.add("foo=bar&&=&%26=%3D");
        default -> parts.add(randomAscii(1 + random.nextInt(10)));
      }
    }
    return parts.isEmpty() ? "" : "?" + String.join("&", parts);
  }

  private void protocolHeader(Req r) {
    String name = pick(PROTOCOL_HEADERS);
    String value = switch (name.toLowerCase()) {
      case "stream-ttl", "stream-fork-sub-offset", "producer-epoch", "producer-seq", "content-length" -> pick(NUMBERS);
      case "stream-expires-at" -> pick(DATES);
      case "stream-fork-offset" -> pick(OFFSETS);
      case "stream-forked-from" -> random.nextBoolean() ? ROOT + pick(NAMES)
          : (random.nextBoolean() ? ROOT + pick(BAD_NAMES) : ROOT + pick(keepReadable));
      case "stream-closed" -> pick(new String[] {"true", "TRUE", "false", "", "yes", "true, true"});
      case "producer-id" -> pick(new String[] {"p", "", " ", "p\u00e9", "x".repeat(3000), "p,q"});
      case "transfer-encoding" -> pick(new String[] {"chunked", "gzip", "gzip, chunked", "identity", "chunked, chunked", ""});
      case "content-encoding" -> pick(new String[] {"gzip", "br", "identity", "x", ""});
      case "expect" -> pick(new String[] {"100-continue", "nope", ""});
      case "connection" -> pick(new String[] {"close", "keep-alive", "Upgrade", "upgrade, HTTP2-Settings", ""});
      case "upgrade" -> pick(new String[] {"websocket", "h2c", "HTTP/2.0"});
      case "host" -> pick(new String[] {"", "x", "evil.example:99999", "[::1", "a b"});
      default -> random.nextBoolean() ? pick(NUMBERS) : randomAscii(random.nextInt(40));
    };
    r.header(name, value);
  }

  private byte[] body() {
    return switch (random.nextInt(8)) {
      case 0 -> new byte[0];
      case 1 -> randomBytes(random.nextInt(300));
      case 2 -> utf8(pick(new String[] {"[]", "[1,2]", "{\"a\":1}", "{", "\"\\ud800\"", "1e999999999", "null", "[[[]]]",
          "\u00ef\u00bb\u00bf[1]", "[1,]", "{\"a\":1,\"a\":2}"}));
      case 3 -> utf8("[".repeat(500 + random.nextInt(1500)) + "]".repeat(random.nextInt(2000)));
      case 4 -> utf8("1".repeat(1000 + random.nextInt(3000)));
      default -> utf8(randomAscii(1 + random.nextInt(80)));
    };
  }

  /** Sets the body with a framing: mostly right, often broken. */
  private void framing(Req r, byte[] body) {
    switch (random.nextInt(10)) {
      case 0 -> r.body(body); // no framing header at all
      case 1 -> r.header("Content-Length", Integer.toString(body.length + 1 + random.nextInt(100))).body(body);
      case 2 -> {
        int declared = body.length == 0 ? 0 : random.nextInt(body.length);
        r.header("Content-Length", Integer.toString(declared)).body(body);
      }
      case 3 -> r.header("Transfer-Encoding", "chunked").body(chunked(body, true));
      case 4 -> r.header("Transfer-Encoding", "chunked").header("Content-Length", Integer.toString(body.length))
          .body(chunked(body, false));
      case 5, 6 -> r.header("Transfer-Encoding", "chunked").body(chunked(body, false));
      default -> r.header("Content-Length", Integer.toString(body.length)).body(body);
    }
  }

  /** Chunked encoding of {@code body}, with random chunk sizes, extensions and trailers; {@code broken} spoils it. */
  private byte[] chunked(byte[] body, boolean broken) {
    var out = new ByteArrayOutputStream();
    int i = 0;
    while (i < body.length) {
      int n = Math.min(body.length - i, 1 + random.nextInt(64));
      String size = Integer.toHexString(n);
      if (random.nextInt(6) == 0) size = size.toUpperCase() + ";ext=" + randomAscii(3);
      out.writeBytes(ascii(size + "\r\n"));
      out.write(body, i, n);
      out.writeBytes(ascii("\r\n"));
      i += n;
    }
    out.writeBytes(ascii(random.nextInt(5) == 0 ? "0\r\nX-Trailer: t\r\n\r\n" : "0\r\n\r\n"));
    byte[] good = out.toByteArray();
    if (!broken) return good;
    return switch (random.nextInt(7)) {
      case 0 -> concat(ascii("zz\r\n"), good);
      case 1 -> concat(ascii("-5\r\nabcde\r\n"), good);
      case 2 -> concat(ascii("ffffffffffffffffffff\r\nabc\r\n"), good);
      case 3 -> concat(ascii("7fffffff\r\nabc\r\n"), good);
      case 4 -> java.util.Arrays.copyOf(good, Math.max(0, good.length - 1 - random.nextInt(Math.max(1, good.length))));
      case 5 -> concat(ascii("3\r\nabcXX"), good);
      default -> concat(ascii("200000\r\n"), randomBytes(100));
    };
  }

  // ---------------------------------------------------------------- keep-* streams: reads, and writes that cannot succeed

  private Case keepRead() {
    String method = random.nextInt(4) == 0 ? "HEAD" : "GET";
    var r = new Req(method, ROOT + pick(keepReadable) + query(), "HTTP/1.1");
    int headers = random.nextInt(4);
    for (int i = 0; i < headers; i++) {
      String h = pick(new String[] {"If-None-Match", "Producer-Epoch", "Stream-TTL", "Accept-Encoding", "Range", "Stream-Seq"});
      r.header(h, random.nextBoolean() ? pick(NUMBERS) : "\"" + randomAscii(10) + "\"");
    }
    return new Case("keep-read", r.bytes(), List.of(method));
  }

  /** Requests to the pre-written streams that must fail before anything is written. */
  private Case keepBadWrite() {
    String name = pick(keepWritable);
    byte[] body = utf8("must-not-land-" + randomAscii(8));
    Req r;
    switch (random.nextInt(8)) {
      case 0 -> r = new Req("POST", ROOT + name, "HTTP/1.1").header("Content-Type", "text/plain")
          .header("Content-Length", Integer.toString(body.length + 1 + random.nextInt(1000))).body(body);
      case 1 -> r = new Req("POST", ROOT + name, "HTTP/1.1").header("Content-Type", "text/plain")
          .header("Transfer-Encoding", "chunked")
          .body(concat(ascii(pick(new String[] {"zz", "-1", "ffffffffffffffffffff", "0x3", " "}) + "\r\n"), body));
      case 2 -> r = new Req("POST", ROOT + name, "HTTP/1.1").header("Content-Type", "text/plain")
          .header("Producer-Id", "fuzz").header("Producer-Epoch", pick(new String[] {"9999999999999999999",
              "9223372036854775808", "-1", "1e3", "\u0663", "9007199254740992"}))
          .header("Producer-Seq", "0").header("Content-Length", Integer.toString(body.length)).body(body);
      case 3 -> r = new Req("POST", ROOT + name, "HTTP/1.1").header("Content-Type", "text/plain")
          .header("Content-Length", Integer.toString(body.length)).header("Transfer-Encoding", "chunked")
          .body(chunkedWhole(body));
      case 4 -> r = new Req("POST", ROOT + name, "HTTP/1.1").header("Content-Type", "text/plain")
          .header("Transfer-Encoding", "chunked").body(concat(ascii(Integer.toHexString(body.length) + "\r\n"), body));
      case 5 -> r = new Req("PUT", ROOT + name, "HTTP/1.1").header(pick(new String[] {"Stream-TTL", "Stream-Expires-At"}),
          pick(new String[] {"2000-01-01T00:00:00Z", "2030-02-30T00:00:00Z", "99999999999999999999", "-1", "1e3"}))
          .header("Content-Length", "0");
      case 6 -> r = new Req("POST", ROOT + name, "HTTP/1.1").header("Content-Type", "text/plain")
          .header("Content-Length", "1").header("Content-Length", "2").body(body);
      default -> r = new Req("POST", ROOT + name, "HTTP/1.1").header("Content-Type", "text/plain")
          .header("Transfer-Encoding", pick(new String[] {"gzip", "gzip, chunked", "chunked, gzip", "x"})).body(body);
    }
    return new Case("keep-bad-write", r.bytes(), List.of(r.method));
  }

  private byte[] chunkedWhole(byte[] body) {
    return concat(ascii(Integer.toHexString(body.length) + "\r\n"), body, ascii("\r\n0\r\n\r\n"));
  }

  // ---------------------------------------------------------------- mutations, garbage, pipelines (fz-* only)

  private Case mutated() {
    String method = pick(new String[] {"PUT", "POST", "POST", "GET"});
    var r = new Req(method, ROOT + pick(NAMES) + (method.equals("GET") ? "?offset=-1" : ""), "HTTP/1.1");
    if (!method.equals("GET")) {
      r.header("Content-Type", random.nextBoolean() ? "text/plain" : "application/json");
      if (random.nextBoolean()) r.header("Producer-Id", "p").header("Producer-Epoch", "0").header("Producer-Seq", "0");
      byte[] body = utf8("[" + random.nextInt(1000) + "]");
      if (random.nextBoolean()) r.header("Transfer-Encoding", "chunked").body(chunkedWhole(body));
      else r.header("Content-Length", Integer.toString(body.length)).body(body);
    }
    byte[] b = r.bytes();
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits && b.length > 0; e++) {
      // A few edits cannot turn an fz-* name into a keep-* one: those letters are not in the request.
      int pos = random.nextInt(b.length);
      b = switch (random.nextInt(5)) {
        case 0 -> flip(b, pos);
        case 1 -> insert(b, pos, randomBytes(1 + random.nextInt(4)));
        case 2 -> delete(b, pos, 1 + random.nextInt(4));
        case 3 -> insert(b, pos, pick(new byte[][] {ascii("\r\n"), ascii("\n"), ascii("\r"), ascii(":"), ascii(" "),
            ascii("\u0000"), ascii("%"), ascii("%FF"), ascii("9999999999999999999"), ascii("\r\n\r\n")}));
        default -> java.util.Arrays.copyOf(b, pos);
      };
    }
    return new Case("mutated", b, List.of(method));
  }

  private Case garbage() {
    byte[] b = switch (random.nextInt(7)) {
      case 0 -> randomBytes(1 + random.nextInt(2000));
      case 1 -> concat(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03}, randomBytes(200));
      case 2 -> ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
      case 3 -> ascii("GET " + ROOT + "fz-1 HTTP/1.1\nHost: x\n\n");
      case 4 -> ascii("GET /" + "a".repeat(10000 + random.nextInt(10000)) + " HTTP/1.1\r\nHost: x\r\n\r\n");
      case 5 -> ascii("\r\n\r\n\r\nGET " + ROOT + "fz-1 HTTP/1.1\r\nHost: x\r\n\r\n");
      default -> ascii("GET " + ROOT + "fz-1 HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n");
    };
    return new Case("garbage", b, List.of("GET"));
  }

  private Case pipeline() {
    var first = new Req("GET", ROOT + pick(keepReadable) + "?offset=-1", "HTTP/1.1");
    Case second = random.nextBoolean() ? structured() : garbage();
    var methods = new ArrayList<String>();
    methods.add("GET");
    methods.addAll(second.methods());
    return new Case("pipeline+" + second.kind(), concat(first.bytes(), second.bytes()), methods);
  }

  // ---------------------------------------------------------------- helpers

  /** A request under construction: request line, headers (sent as UTF-8), body. */
  private static final class Req {
    final String method;
    private final String target;
    private final String version;
    private final List<String[]> headers = new ArrayList<>();
    private byte[] body = new byte[0];

    Req(String method, String target, String version) {
      this.method = method;
      this.target = target;
      this.version = version;
      headers.add(new String[] {"Host", "127.0.0.1"});
    }

    Req header(String name, String value) {
      headers.add(new String[] {name, value});
      return this;
    }

    Req body(byte[] b) {
      this.body = b;
      return this;
    }

    byte[] bytes() {
      var sb = new StringBuilder();
      sb.append(method).append(' ').append(target);
      if (!version.isEmpty()) sb.append(' ').append(version);
      sb.append("\r\n");
      for (String[] h : headers) sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
      sb.append("\r\n");
      return concat(sb.toString().getBytes(StandardCharsets.UTF_8), body);
    }
  }

  private <T> T pick(T[] options) {
    return options[random.nextInt(options.length)];
  }

  private String pick(List<String> options) {
    return options.get(random.nextInt(options.size()));
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private String randomAscii(int n) {
    var sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) sb.append((char) (0x21 + random.nextInt(0x5e)));
    return sb.toString();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    var out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }

  private static byte[] flip(byte[] b, int pos) {
    byte[] c = b.clone();
    c[pos] ^= (byte) (1 << (pos % 8));
    return c;
  }

  private static byte[] insert(byte[] b, int pos, byte[] what) {
    return concat(java.util.Arrays.copyOf(b, pos), what, java.util.Arrays.copyOfRange(b, pos, b.length));
  }

  private static byte[] delete(byte[] b, int pos, int n) {
    return concat(java.util.Arrays.copyOf(b, pos), java.util.Arrays.copyOfRange(b, Math.min(b.length, pos + n), b.length));
  }
}
