/**
 * sluice-http-routes: the Durable Streams HTTP protocol on Pekko HTTP (Java DSL). No business
 * rules: requests are parsed into {@code core} commands and handed to the {@code StreamGateway}.
 *
 * <ul>
 *   <li>{@link dev.sluice.http.StreamRoutes} - entry point; composes the routes, security/CORS headers, handlers
 *   <li>{@code CreateRoute}, {@code AppendRoute}, {@code ReadRoute}, {@code HeadRoute}, {@code DeleteRoute},
 *       {@code OptionsRoute} - one class per protocol operation
 *   <li>{@code Headers}, {@code StreamPaths} - header/query/path parsing and header rendering
 *   <li>{@code ErrorMapping} - the only ErrorCode/failure to status mapping
 *   <li>{@code SseFrames} - the SSE wire format
 *   <li>{@link dev.sluice.http.HttpSettings} - {@code sluice.http} config
 *   <li>{@link dev.sluice.http.SecureParsingErrorHandler} - security headers on Pekko parse errors
 *   <li>{@link dev.sluice.http.EdgeBinding} - the server socket: Pekko's server layer per TCP connection, with
 *       {@link dev.sluice.http.Http10TransferEncodingGuard} ({@code RequestFraming}) on the bytes before it
 * </ul>
 */
package dev.sluice.http;
