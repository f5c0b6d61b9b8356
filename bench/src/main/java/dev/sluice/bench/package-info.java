/**
 * sluice-bench: a load generator for any Durable Streams server, and the no-op ceiling server.
 *
 * <ul>
 *   <li>{@code bench} - {@link dev.sluice.bench.BenchMain} (commands) and {@link dev.sluice.bench.BenchOptions} (flags).
 *   <li>{@code http} - a lean HTTP/1.1 keep-alive client: one NIO event loop, pre-rendered requests,
 *       an allocation-free response parser.
 *   <li>{@code sse} - event-stream parsing and the fanout payload format.
 *   <li>{@code metrics} - HdrHistogram recorders, summaries, counters and the warm-up/measure clock.
 *   <li>{@code scenario} - append, producer, fanout, longpoll, catchup, streams.
 *   <li>{@code report} - results as JSON and Markdown, the comparison table, SVG latency charts.
 *   <li>{@code noop} - the Pekko HTTP server that does nothing, the ceiling Sluice is measured against.
 * </ul>
 */
package dev.sluice.bench;
