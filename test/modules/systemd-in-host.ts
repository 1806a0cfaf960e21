/**
 * Runs one converge INSIDE a test host through the local transport (hosts see the checkout
 * read-through):
 * `node --import tsx test/modules/systemd-in-host.ts KIND SPEC_JSON [RUN_START_MS] [TIMEOUT_MS]`.
 * Prints the ConvergeResult as JSON on the last line of stdout.
 */
import { LocalTransport } from '../../src/transport/local.js'
import { contextFor, converge } from './systemd-harness.js'

const [kind = '', specJson = '{}', runStart = '', timeout = ''] = process.argv.slice(2)
const transport = new LocalTransport('in-host')
const ctx = await contextFor(transport, {
  runStartedAt: runStart === '' ? undefined : new Date(Number(runStart)),
  timeoutMs: timeout === '' ? undefined : Number(timeout),
})
const result = await converge(kind, ctx, JSON.parse(specJson))
console.log(JSON.stringify(result))
