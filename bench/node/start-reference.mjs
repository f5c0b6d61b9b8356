// Starts the Node reference server (@durable-streams/server, pinned in package.json) for
// bench/side-by-side.sh, the same way shared/conformance/run.sh does.
//
//   node start-reference.mjs <port> [dataDir] [longPollTimeoutMs]
//
// With dataDir: file-backed store (segment files + LMDB metadata, fdatasync before each append is
// acknowledged). Without it (or with "-"): in-memory store.
// Prints "READY <url>" once listening; exits on SIGTERM/SIGINT.
import { DurableStreamTestServer } from "@durable-streams/server"

const port = Number(process.argv[2] ?? 0)
const dataDir = process.argv[3] && process.argv[3] !== "-" ? process.argv[3] : undefined
const longPollTimeout = Number(process.argv[4] ?? 30000)
const server = new DurableStreamTestServer({ port, host: "127.0.0.1", longPollTimeout, dataDir })
await server.start()
console.log(`READY ${server.url} ${dataDir ? "file-backed " + dataDir : "in-memory"}`)
const stop = async () => {
  await server.stop()
  process.exit(0)
}
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
