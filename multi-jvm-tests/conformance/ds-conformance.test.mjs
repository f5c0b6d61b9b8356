// Wrapper that runs the pinned official conformance suite (see package.json) under vitest.
// ConformanceIT starts a Sluice node and runs:
//   CONFORMANCE_TEST_URL=http://127.0.0.1:PORT vitest run ds-conformance.test.mjs --reporter=json ...
// Why a wrapper instead of the package CLI: with vitest 4 the CLI points vitest at
// dist/test-runner.js inside node_modules, which vitest's default excludes filter out
// ("No test files found").
import { runConformanceTests } from "@durable-streams/server-conformance-tests"

const baseUrl = process.env.CONFORMANCE_TEST_URL
if (!baseUrl) throw new Error("CONFORMANCE_TEST_URL is not set")

const opts = { baseUrl }
if (process.env.DS_CONF_LONGPOLL_MS) opts.longPollTimeoutMs = Number(process.env.DS_CONF_LONGPOLL_MS)
if (process.env.DS_CONF_SUBSCRIPTIONS === "1") opts.subscriptions = true
runConformanceTests(opts)
