package example;

import dev.sluice.actors.api.SluiceStreams;
import dev.sluice.core.Bytes;
import dev.sluice.embedded.SluiceEmbedded;
import dev.sluice.subscriptions.Subscriptions;
import dev.sluice.subscriptions.Wake;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.javadsl.Sink;

public final class SubscribedAgent {
  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args.length > 0 ? args[0] : "sluice-data");
    String json = "application/json";
    String run = UUID.randomUUID().toString();
    String inbox = "inbox-" + run + "/tasks";

    try (SluiceEmbedded sluice = SluiceEmbedded.start("my-app", dataDir)) {
      SluiceStreams streams = sluice.streams();
      Subscriptions subs = sluice.subscriptions();
      streams.create(inbox, json).toCompletableFuture().get(30, TimeUnit.SECONDS);
      // Every stream under inbox-<run>/, existing (linked at its tail) and created later; durable.
      String id = "agent-" + run;
      subs.subscribe(id, "inbox-" + run + "/*", List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      CompletionStage<Wake> woken = subs.wakes(id).runWith(Sink.head(), sluice.system()); // claims the next wake

      streams.append(inbox, json, Bytes.utf8("{\"task\":\"summarize\"}")).toCompletableFuture().get(30, TimeUnit.SECONDS);
      Wake wake = woken.toCompletableFuture().get(30, TimeUnit.SECONDS);
      for (Wake.WakeStream s : wake.pending()) {
        System.out.println("woken: " + s.path());
        var chunk = streams.read(s.path(), s.readFrom(), 1 << 20).toCompletableFuture().get(30, TimeUnit.SECONDS);
        System.out.println("task: " + chunk.utf8Units());
      }
      boolean more = wake.ack().toCompletableFuture().get(30, TimeUnit.SECONDS); // records the tails: done
      System.out.println("acked; more work pending: " + more);
      subs.unsubscribe(id).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
