package dev.sluice.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.core.Bytes;
import dev.sluice.core.error.ErrorCode;
import dev.sluice.core.error.Rejection;
import dev.sluice.core.protocol.Offset;
import dev.sluice.core.protocol.ProducerClaim;
import dev.sluice.core.rules.Commands;
import dev.sluice.core.rules.Payload;
import dev.sluice.core.rules.Payloads;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Everything {@code CborSerializable} survives a Jackson round trip. Uses plain JSON (core has no
 * CBOR dependency) with the deserialization setting Pekko's jackson serializer uses by default
 * ({@code FAIL_ON_UNKNOWN_PROPERTIES = off}).
 */
class SerializationRoundTripTest {
  private static final long T = 1_800_000_000_000L;
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .build();

  static Stream<Object> values() {
    var origin = new ForkOrigin("/v1/stream/src", Offset.at(5), Offset.at(5), 2, true);
    var state = new StreamState(StreamStatus.SOFT_DELETED, 7, "application/json; charset=utf-8", 60L, T + 1,
        List.of(new Segment(1, 0, 5), new Segment(2, 5, 9)), 9, origin, 42, true, "p", 3L, 11L, "seq-\u00e9",
        Map.of("p", new ProducerState(3, 11, T), "q", new ProducerState(0, 0, T - 1)), Set.of("/a", "/b"), T + 2);
    return Stream.of(
        StreamState.EMPTY,
        state,
        new StreamEvent.Created(7, "text/plain", null, T, List.of(new Segment(1, 0, 5)), 5, origin, T),
        new StreamEvent.Created(8, "application/octet-stream", 60L, null, List.of(), 0, null, T),
        StreamEvent.Appended.of(7, 5, Bytes.wrap(new byte[] {0, 1, (byte) 0xFF, 10}), "p", 3L, 12L, "s", true, T),
        StreamEvent.Appended.of(7, 9, Bytes.utf8("x"), null, null, null, null, false, T),
        new StreamEvent.Closed("p", 3L, 13L, null, T),
        new StreamEvent.Closed(null, null, null, null, T),
        new StreamEvent.ForkAdded("/v1/stream/child"),
        new StreamEvent.ForkReleased("/v1/stream/child"),
        new StreamEvent.SoftDeleted(T),
        new StreamEvent.Purged(7),
        origin,
        new ForkOrigin("/s", null, Offset.ZERO, 0, false),
        Offset.parseOrNull("9999999999999999_9999999999999999"),
        Rejection.closed(Offset.at(9)),
        Rejection.staleEpoch(4),
        Rejection.seqGap(3, 7),
        Rejection.of(ErrorCode.INVALID_JSON, "bad"),
        Payloads.json(Bytes.utf8("[1,{\"a\":2}]")),
        Payload.EMPTY,
        new Commands.Create("text/plain", 60L, null, true, Bytes.utf8("body"),
            new Commands.ForkRequest("/src", Offset.at(3), 1)),
        new Commands.Create(null, null, null, false, Bytes.EMPTY, null),
        new Commands.ForkGrant("text/plain", null, T, List.of(new Segment(1, 0, 3)), Offset.at(3), 1),
        new Commands.Append("text/plain", Payloads.binary(Bytes.utf8("x")), true, "s", new ProducerClaim("p", 1, 2)),
        new Commands.Append(null, Payload.EMPTY, true, null, null),
        new Commands.StreamInfo("text/plain", Offset.at(3), true, 60L, null),
        new Commands.CreateResult(true, new Commands.StreamInfo("text/plain", Offset.ZERO, false, null, T)),
        new Commands.AppendResult(Offset.at(3), false, true, 1L, 2L));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("values")
  void serializableValuesRoundTripThroughJackson(Object value) throws Exception {
    byte[] bytes = MAPPER.writeValueAsBytes(value);
    Object back = MAPPER.readValue(bytes, value.getClass());
    // An Appended event's payload is stored by the journal in the data column, not in the event.
    Object expected = value instanceof StreamEvent.Appended a ? a.withoutData() : value;
    assertEquals(expected, back, () -> new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void appendedEventIsSerializedWithoutItsPayloadButKeepsItsLength() throws Exception {
    String marker = "PAYLOAD-MARKER-0123456789";
    var event = StreamEvent.Appended.of(7, 5, Bytes.utf8(marker), "p", 3L, 12L, "s", true, T);
    byte[] bytes = MAPPER.writeValueAsBytes(event);
    String json = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    assertFalse(json.contains("PAYLOAD-MARKER"), json);
    var back = MAPPER.readValue(bytes, StreamEvent.Appended.class);
    assertNull(back.data());
    assertEquals(marker.length(), back.length());
    assertEquals(StreamState.EMPTY.apply(event), StreamState.EMPTY.apply(back));
  }

  @Test
  void appendedEventsOfTheEarlierFormatWithDataAndNoLengthStillReplay() throws Exception {
    var old = "{\"storeId\":7,\"position\":5,\"data\":\"YWJj\",\"producerId\":null,\"closes\":false,\"atMillis\":1}";
    var back = MAPPER.readValue(old, StreamEvent.Appended.class);
    assertEquals(3, back.length());
    assertEquals(Bytes.utf8("abc"), back.data());
    assertEquals(8, StreamState.EMPTY.apply(back).tail());
  }

  @Test
  void appendedRejectsALengthThatDoesNotMatchItsData() {
    assertThrows(IllegalArgumentException.class,
        () -> new StreamEvent.Appended(7, 5, 2, Bytes.utf8("abc"), null, null, null, null, false, T));
  }
}
