package dev.sluice.bench.noop;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.Materializer;

/**
 * The ceiling of the HTTP stack: a Pekko HTTP server (same pekko-http version and JVM flags as
 * Sluice, its {@code pekko.http.server} settings from {@code sluice-bench/noop-server.conf} or, with
 * {@code --mirror-config}, straight from Sluice's configuration) that reads each request body completely and
 * answers without doing any work — 204 with a {@code Stream-Next-Offset} for a plain POST, 200 for a
 * POST with {@code Producer-Id}, 201 for PUT, 200 (empty, up to date) for GET and HEAD. Whatever
 * Sluice loses against this server is spent in Sluice, not in Pekko HTTP.
 *
 * <p>Prints {@code NOOP READY http://host:port} once bound, like {@code bin/sluice} prints
 * {@code SLUICE READY}.
 */
public final class NoopServer {

  private NoopServer() {}

  public static void serve(String host, int port, Path mirrorConfig) throws Exception {
    Config own = ConfigFactory.parseResources("sluice-bench/noop-server.conf");
    if (mirrorConfig != null) own = mirrored(mirrorConfig).withFallback(own);
    Config config = own.withFallback(ConfigFactory.load()).resolve();
    ActorSystem system = ActorSystem.create("noop", config);
    Materializer mat = Materializer.createMaterializer(system);
    AtomicLong position = new AtomicLong();
    org.apache.pekko.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> handler =
        request -> handle(request, position, mat);
    ServerBinding binding = Http.get(system).newServerAt(host, port)
        .bind(handler)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    String h = binding.localAddress().getHostString();
    System.out.println("NOOP READY http://" + h + ":" + binding.localAddress().getPort());
    System.out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        binding.unbind().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      }
      system.terminate();
    }));
    system.getWhenTerminated().toCompletableFuture().get();
  }

  /**
   * The Pekko settings that shape the HTTP stack's speed, taken from Sluice's own configuration:
   * {@code pekko.http.server} (without the parsing error handler, a Sluice class) and
   * {@code pekko.actor.default-dispatcher}. Everything else in that file is Sluice's business.
   */
  static Config mirrored(Path file) {
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--mirror-config: no such file " + file);
    Config sluice = ConfigFactory.parseFile(file.toFile());
    Config picked = ConfigFactory.empty();
    for (String path : MIRRORED) {
      if (sluice.hasPathOrNull(path)) picked = picked.withFallback(sluice.withOnlyPath(path));
    }
    picked = picked.withoutPath("pekko.http.server.parsing.error-handler");
    System.err.println("noop-server: mirroring from " + file + ": "
        + picked.root().render(ConfigRenderOptions.concise()));
    return picked;
  }

  static final List<String> MIRRORED = List.of("pekko.http.server", "pekko.actor.default-dispatcher");

  private static CompletionStage<HttpResponse> handle(HttpRequest request, AtomicLong position, Materializer mat) {
    CompletionStage<?> body = request.entity().isStrict()
        ? CompletableFuture.completedFuture(request.entity())
        : request.entity().toStrict(60_000, mat);
    return body.thenApply(strict -> respond(request, position));
  }

  private static HttpResponse respond(HttpRequest request, AtomicLong position) {
    long pos = request.entity().getContentLengthOption().orElse(0L);
    String offset = offset(position.addAndGet(pos));
    if (request.method() == HttpMethods.POST) {
      boolean producer = request.getHeader("Producer-Id").isPresent();
      return HttpResponse.create().withStatus(producer ? StatusCodes.OK : StatusCodes.NO_CONTENT)
          .addHeader(RawHeader.create("Stream-Next-Offset", offset));
    }
    if (request.method() == HttpMethods.PUT) {
      return HttpResponse.create().withStatus(StatusCodes.CREATED).addHeader(RawHeader.create("Stream-Next-Offset", offset));
    }
    return HttpResponse.create().withStatus(StatusCodes.OK)
        .addHeader(RawHeader.create("Stream-Next-Offset", offset))
        .addHeader(RawHeader.create("Stream-Up-To-Date", "true"));
  }

  /** {@code %016d_%016d} without String.format on the hot path. */
  static String offset(long position) {
    String p = Long.toString(position);
    return "0000000000000000_" + "0000000000000000".substring(Math.min(16, p.length())) + p;
  }
}
