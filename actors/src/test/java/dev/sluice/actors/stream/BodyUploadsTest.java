package dev.sluice.actors.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.sluice.actors.stream.StreamEntity.Upload;
import dev.sluice.core.Bytes;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BodyUploadsTest {
  private static final long TTL = 8_000;

  private static Bytes body(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return Bytes.wrap(b);
  }

  @Test
  void partsInOrderRebuildTheBodyWithoutACopyOnTheLocalPath() {
    Bytes body = body(300);
    var u = new BodyUploads(TTL);
    u.add("x", 0, BodySlice.of(body, 0, 128), 0);
    u.add("x", 1, BodySlice.of(body, 128, 256), 0);
    u.add("x", 2, BodySlice.of(body, 256, 300), 0);
    Bytes got = u.take(new Upload("x", 3, 300));
    assertSame(body.unsafeArray(), got.unsafeArray());
    assertTrue(u.isEmpty());
  }

  @Test
  void receivedPartsAreCopiedTogether() throws Exception {
    Bytes body = body(300);
    var cbor = new ObjectMapper(new CBORFactory());
    var u = new BodyUploads(TTL);
    for (int i = 0, from = 0; from < 300; i++, from += 128) {
      var part = new StreamEntity.BodyPart("x", i, BodySlice.of(body, from, Math.min(300, from + 128)));
      var back = cbor.readValue(cbor.writeValueAsBytes(part.part()), BodySlice.class);
      assertEquals(part.part().length(), back.length());
      u.add("x", i, back, 0);
    }
    assertEquals(body, u.take(new Upload("x", 3, 300)));
  }

  @Test
  void aMissingOrOutOfOrderPartFailsTheUpload() {
    Bytes body = body(300);
    var u = new BodyUploads(TTL);
    u.add("gap", 0, BodySlice.of(body, 0, 128), 0);
    u.add("gap", 2, BodySlice.of(body, 256, 300), 0);
    assertNull(u.take(new Upload("gap", 3, 300)));
    u.add("short", 0, BodySlice.of(body, 0, 128), 0);
    u.add("short", 1, BodySlice.of(body, 128, 256), 0);
    assertNull(u.take(new Upload("short", 3, 300)));
    assertNull(u.take(new Upload("never-sent", 1, 10)));
    assertTrue(u.isEmpty(), "a failed take drops what was received");
  }

  @Test
  void uploadsWhoseCommandNeverCameExpireAfterTheTtl() {
    Bytes body = body(300);
    var u = new BodyUploads(TTL);
    u.add("old", 0, BodySlice.of(body, 0, 128), 1_000);
    u.add("new", 0, BodySlice.of(body, 0, 128), 5_000);
    u.expire(1_000 + TTL - 1);
    assertEquals(2, u.size());
    u.expire(1_000 + TTL);
    assertEquals(1, u.size());
    assertNull(u.take(new Upload("old", 1, 128)));
    assertArrayEquals(body.slice(0, 128).unsafeArray(), u.take(new Upload("new", 1, 128)).unsafeArray());
  }
}
