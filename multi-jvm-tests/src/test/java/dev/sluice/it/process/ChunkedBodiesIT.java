package dev.sluice.it.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.it.support.ItEnv;
import dev.sluice.it.support.NodeProcess;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that streams its body in big chunks (one 2 MiB chunk here) is served like any other:
 * Pekko's default chunk limit of 1 MiB answered it 400 before the routes saw the request.
 */
class ChunkedBodiesIT {

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aTwoMebibyteChunkIsAppendedWhole() throws Exception {
    try (NodeProcess node = NodeProcess.start("ChunkedBodiesIT", ItEnv.freshDataDir("ChunkedBodiesIT"))) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI stream = node.streamUri("chunks");
      assertEquals(201, http.send(HttpRequest.newBuilder(stream).PUT(HttpRequest.BodyPublishers.noBody())
          .header("Content-Type", "application/octet-stream").build(), HttpResponse.BodyHandlers.discarding()).statusCode());

      byte[] body = new byte[2 << 20];
      Arrays.fill(body, (byte) 'x');
      try (Socket socket = new Socket(stream.getHost(), stream.getPort())) {
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + stream.getRawPath() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String statusLine = firstLine(socket.getInputStream());
        assertTrue(statusLine.startsWith("HTTP/1.1 204"), statusLine);
      }

      HttpResponse<byte[]> read = http.send(HttpRequest.newBuilder(URI.create(stream + "?offset=-1")).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, read.statusCode());
      assertEquals(body.length, read.body().length, "the whole chunk was stored");
    }
  }

  private static String firstLine(InputStream in) throws Exception {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') line.write(b);
    return line.toString(StandardCharsets.US_ASCII).trim();
  }
}
