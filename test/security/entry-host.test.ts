/**
 * The escape corpus through what a managed host says: a rogue process's command line (the port
 * module's facts, under --check), journal lines (the journal gate's failure and its matches) and
 * an HTTP body. Each payload comes back as plain text; nothing runs on the controller.
 */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import type { EngineEvent } from '../../src/engine/events.js'
import { commandLineOf } from '../../src/modules/proc/stat.js'
import { UNIT_NAME } from '../../src/testbed/index.js'
import { shQuote } from '../../src/transport/quote.js'
import { project, tend } from '../cli/support.js'
import type { TaskEnd } from '../engine/harness.js'
import { leaseHost, testbed } from '../support/testbed.js'
import { assertUntouched, payloads, trap } from './payloads.js'

const t = trap()
const corpus = payloads(t)
const host = await leaseHost()
const started: number[] = []
const ROGUE_PORT = 9400
const WEB_PORT = 9401
const ROGUE = `import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEPORT,1)\ns.bind(('127.0.0.1',${ROGUE_PORT}))\ns.listen()\ntime.sleep(900)`

after(async () => {
  if (started.length > 0) await host.sh(`kill ${started.join(' ')} 2>/dev/null; true`)
  await host.sh('systemctl stop tend-ssti-log.service 2>/dev/null; systemctl reset-failed tend-ssti-log.service 2>/dev/null; rm -rf /tmp/tend-ssti; true')
})

async function must(script: string): Promise<string> {
  const result = await host.sh(script, { timeoutMs: 60_000 })
  assert.equal(result.exitCode, 0, result.stderr)
  return result.stdout.trim()
}

/** `tend run` of a playbook (JSON is YAML) on the leased host, --json. */
async function tendOn(plays: unknown, ...args: string[]): Promise<{ ends: TaskEnd[]; text: string; code: number | null }> {
  const dir = await project({ 'site.yaml': JSON.stringify(plays, null, 1) })
  const run = await tend(['run', 'site.yaml', '-i', testbed().inventoryFile, '--limit', host.name, '--json', ...args], dir)
  const events = run.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as EngineEvent)
  assertUntouched(t, run.stdout, run.stderr)
  return { ends: events.filter((e): e is TaskEnd => e.type === 'task-end'), text: run.stdout + run.stderr, code: run.code }
}

const end = (ends: readonly TaskEnd[], name: string): TaskEnd => {
  const found = ends.find((e) => e.task === name)
  assert.ok(found, `no task-end for ${name}`)
  return found
}
const stdoutOf = (e: TaskEnd): string => String((e.result as { stdout?: unknown } | undefined)?.stdout)
const eachLine = "{% for l in seen %}{{ l }}\n{% endfor %}"

test('a rogue whose argv is a payload: port facts under --check are plain text', async () => {
  for (const payload of corpus) {
    const pid = await must(`cd / && setsid nohup bash -c 'exec -a "$0" python3 -c "$1"' ${shQuote(payload)} ${shQuote(ROGUE)} >/dev/null 2>&1 </dev/null & echo $!`)
    started.push(Number(pid))
  }
  await must(`i=0; while [ "$(ss -ltnpH 'sport = :${ROGUE_PORT}' | grep -o 'pid=' | wc -l)" -lt ${corpus.length} ]; do i=$((i+1)); [ $i -lt 300 ] || exit 1; sleep 0.1; done`)
  const run = await tendOn([{
    hosts: 'all',
    tasks: [
      { name: 'port facts', port: { port: ROGUE_PORT, owner: UNIT_NAME }, register: 'p' },
      { name: 'seen', command: ['printf', '%s', "{% for l in seen %}{{ l.command }}\n{% endfor %}"], vars: { seen: '{{ p.listeners }}' } },
    ],
  }], '--check')
  assert.equal(run.code, 3, run.text.slice(-3000)) // drift found, nothing failed
  const planned = end(run.ends, 'seen').changes[0]?.summary ?? ''
  const shown = new Set(planned.replace(/^run printf %s /, '').split('\n'))
  const port = end(run.ends, 'port facts').changes.map((c) => c.summary).join('\n')
  for (const payload of corpus) {
    const line = commandLineOf(`${payload}\0-c\0${ROGUE}\0`, 'python3')
    assert.ok(shown.has(line), `${line} not shown as text`)
    assert.ok(port.includes(line), `${line} not in the port plan`)
  }
  // Nothing was applied: every rogue still runs.
  assert.equal(await must(`for p in ${started.join(' ')}; do [ -d /proc/$p ] && echo y; done | wc -l`), String(corpus.length))
})

test('journal lines planted by a process are plain text in the gate failure and its matches', async () => {
  const lines = corpus.map((p) => `SSTI:${p}`).join('\n')
  await must(`mkdir -p /tmp/tend-ssti && printf '%s\\n' ${shQuote(lines)} > /tmp/tend-ssti/lines.txt
systemd-run --quiet --unit=tend-ssti-log -p RemainAfterExit=yes cat /tmp/tend-ssti/lines.txt
i=0; while [ "$(journalctl -u tend-ssti-log -o cat | grep -c '^SSTI:')" -lt ${corpus.length} ]; do i=$((i+1)); [ $i -lt 100 ] || exit 1; sleep 0.1; done`)
  const run = await tendOn([{
    hosts: 'all',
    tasks: [
      { name: 'gate', journal: { unit: 'tend-ssti-log.service', absent: '^SSTI:', since: '1h' }, register: 'j', ignore_errors: true },
      { name: 'lines', command: ['printf', '%s', eachLine], vars: { seen: '{{ j.matches }}' } },
    ],
  }])
  const gate = end(run.ends, 'gate')
  assert.equal(gate.status, 'ignored')
  for (const payload of corpus.slice(-10)) assert.ok(gate.message?.includes(`SSTI:${payload}`.slice(0, 150)), `${payload} not in the gate's message`)
  const printed = stdoutOf(end(run.ends, 'lines'))
  for (const payload of corpus) assert.ok(printed.includes(`SSTI:${payload}\n`), `${payload} not printed as text`)
})

test('an HTTP body read from the host is plain text through a derived var', async () => {
  const body = corpus.join('\n')
  const pid = await must(`mkdir -p /tmp/tend-ssti/www && printf '%s' ${shQuote(body)} > /tmp/tend-ssti/www/body.txt
cd / && setsid nohup python3 -m http.server ${WEB_PORT} --bind 127.0.0.1 -d /tmp/tend-ssti/www >/dev/null 2>&1 </dev/null & echo $!`)
  started.push(Number(pid))
  const run = await tendOn([{
    hosts: 'all',
    tasks: [
      { name: 'up', http: { url: `http://127.0.0.1:${WEB_PORT}`, routes: ['/body.txt'], within: 10 } },
      { name: 'fetch', command: ['curl', '-sS', `http://127.0.0.1:${WEB_PORT}/body.txt`], register: 'page' },
      { name: 'show', command: ['printf', '%s', '{{ text }}'], vars: { text: '{{ page.stdout }}' } },
    ],
  }])
  assert.equal(run.code, 0, run.text.slice(-3000))
  assert.equal(stdoutOf(end(run.ends, 'show')), body)
})
