package example;

import dev.sluice.actors.api.SluiceStreams;
import dev.sluice.core.Bytes;
import dev.sluice.core.protocol.ProducerClaim;
import dev.sluice.embedded.SluiceEmbedded;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;

public final class EmbeddedAgent {
  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args.length > 0 ? args[0] : "sluice-data");    // RocksDB files; kept across runs
    String session = "agents/session-" + UUID.randomUUID();
    String json = "application/json";

    try (SluiceEmbedded sluice = SluiceEmbedded.start("my-app", dataDir)) { // close() shuts Sluice down
      SluiceStreams streams = sluice.streams();
      CompletionStage<Done> done = streams.create(session, json)
          .thenCompose(created -> streams.append(session, json, Bytes.utf8("{\"role\":\"user\",\"text\":\"hello\"}"),
              new ProducerClaim("agent-7", 0, 0)))                          // exactly-once: a retry is deduplicated
          .thenCompose(appended -> streams.read(session, 0, 1 << 20))
          .thenCompose(chunk -> {
            System.out.println("read: " + chunk.utf8Units());
            // A live tail from offset 0: every unit as it commits, until the stream is closed.
            CompletionStage<Done> tail = streams.tail(session, 0)
                .runForeach(c -> c.utf8Units().forEach(unit -> System.out.println("tail: " + unit)), sluice.system());
            CompletionStage<Done> writes = streams.append(session, json, Bytes.utf8("{\"role\":\"agent\",\"text\":\"hi\"}"))
                .thenCompose(appended -> streams.close(session))
                .thenApply(closed -> Done.getInstance());
            return writes.thenCombine(tail, (w, t) -> Done.getInstance()); // fails if either fails
          });
      done.toCompletableFuture().get(30, TimeUnit.SECONDS);                  // throws the first failure of any step
      System.out.println("done: " + session);
    }
  }
}
