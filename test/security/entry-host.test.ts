/**
 * The escape corpus through what a managed host says: a rogue process's command line (the port
 * module's facts, under --check), journal lines (the journal gate's failure and its matches), an
 * HTTP body, and a command's registered output used every way a playbook uses it (debug: var,
 * loops, set_fact, template src, include_tasks, lookups). Each payload comes back as plain text;
 * nothing runs on the controller, and no process passes for the unit through what it prints.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, test } from 'node:test'
import { commandLineOf } from '../../src/modules/proc/stat.js'
import { sshArgs, UNIT_NAME } from '../../src/testbed/index.js'
import { shQuote } from '../../src/transport/quote.js'
import { project, tend } from '../cli/support.js'
import type { TaskEnd } from '../engine/harness.js'
import { leaseHost, testbed, type TestHost } from '../support/testbed.js'
import { assertNoFindings, runBatch } from './batch.js'
import { assertHostOutputAsData, decoys, hostOutputItems, hostOutputProject } from './host-output.js'
import { assertUntouched, markedPayloads, payloads, trap } from './payloads.js'
import { eventsIn } from '../support/events.js'

const t = trap()
/**
 * Payloads a process's argv and a journal line can carry: one line, no NUL; and short, as all of
 * them together are one argument of a printf (at most 128 KiB). The registered-output test below
 * takes every payload.
 */
const corpus = payloads(t).filter((p) => !/[\0\n\r]/.test(p) && p.length < 400)
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
  const events = eventsIn(run.stdout)
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
  await upload(host, '/tmp/tend-ssti/argv', corpus.map((p, i) => [`p-${i}`, p] as const))
  const pids = await must(`cd / && for i in $(seq 0 ${corpus.length - 1}); do setsid nohup bash -c 'exec -a "$(cat "$0")" python3 -c "$1"' /tmp/tend-ssti/argv/p-$i ${shQuote(ROGUE)} >/dev/null 2>&1 </dev/null & echo $!; done`)
  started.push(...pids.split('\n').map(Number))
  await must(`i=0; while [ "$(ss -ltnpH 'sport = :${ROGUE_PORT}' | grep -o 'pid=' | wc -l)" -lt ${corpus.length} ]; do i=$((i+1)); [ $i -lt 300 ] || exit 1; sleep 0.1; done`)
  const run = await tendOn([{
    hosts: 'all',
    tasks: [
      { name: 'port facts', port: { port: ROGUE_PORT, owner: UNIT_NAME }, register: 'p' },
      // check_mode: false: a command only reads, so it runs under --check too (and shows its output).
      { name: 'seen', command: ['printf', '%s', "{% for l in seen %}{{ l.command }}\n{% endfor %}"], vars: { seen: '{{ p.listeners }}' }, check_mode: false },
    ],
  }], '--check')
  assert.equal(run.code, 3, run.text.slice(-3000)) // drift found, nothing failed
  const shown = new Set(stdoutOf(end(run.ends, 'seen')).split('\n'))
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
  await upload(host, '/tmp/tend-ssti', [['lines.txt', corpus.map((p) => `SSTI:${p}\n`).join('')]])
  await must(`systemd-run --quiet --unit=tend-ssti-log -p RemainAfterExit=yes cat /tmp/tend-ssti/lines.txt
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
  await upload(host, '/tmp/tend-ssti/www', [['body.txt', body]])
  const pid = await must(`cd / && setsid nohup python3 -m http.server ${WEB_PORT} --bind 127.0.0.1 -d /tmp/tend-ssti/www >/dev/null 2>&1 </dev/null & echo $!`)
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

/** Writes files into a directory on the host over one ssh session (a script argument could not hold them). */
function upload(target: TestHost, dir: string, files: readonly (readonly [string, string])[]): Promise<void> {
  const lines = files.map(([name, text]) => `${name} ${Buffer.from(text).toString('base64')}\n`).join('')
  const script = `mkdir -p ${shQuote(dir)} && cd ${shQuote(dir)} && while read -r n b; do printf %s "$b" | base64 -d > "$n" || exit 1; done`
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', [...sshArgs(target), `sh -c ${shQuote(script)}`], { stdio: ['pipe', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`upload to ${target.name}: exit ${code}: ${stderr}`))))
    child.stdin.end(lines)
  })
}

test('registered output over ssh is data: shown as its exact text, never a template, an expression or a controller path', async (c) => {
  const at = trap()
  const decoy = decoys(at)
  const outputs = [...markedPayloads(at), ...decoy.paths]
  await upload(host, '/tmp/tend-ssti/said', outputs.map((text, i) => [`p-${i}.txt`, text] as const))
  const side = { fileOf: (i: string) => `/tmp/tend-ssti/said/p-${i}.txt`, outDir: '/tmp/tend-ssti/dest' }
  const outcome = await runBatch({
    trap: at,
    items: hostOutputItems(outputs.length),
    build: hostOutputProject(side, at, decoy),
    args: ['-i', testbed().inventoryFile, '--limit', host.name],
    forbidden: decoy.forbidden,
    env: decoy.env,
    written: async () => (await host.sh('cat /tmp/tend-ssti/dest/* 2>/dev/null; true')).stdout,
  })
  c.diagnostic(`${outputs.length} host outputs × 8 uses: ${outcome.refused.size} refused at validation, ${outcome.ran.length} run, ${outcome.findings.length} findings`)
  assertNoFindings(outcome, outputs)
  assertHostOutputAsData(outcome, outputs)
})

/**
 * A process chooses its argv, and the facts script prints it inside `echo "cmdline …"`: dash's
 * echo turns a `\n` written in the argv into a line break, so the argv could add `pid`, `stat`
 * and `cgroup` lines of its own and pass for the unit. It must still be evicted.
 */
const SPOOF_PORT = 9402
const SPOOF = `import os,socket,sys,time
if 'spoofed' not in sys.argv:
    cg = '/system.slice/${UNIT_NAME}'
    st = open('/proc/self/stat').read().strip()
    fake = 'x\\\\npid %d\\\\nstat %s\\\\ncgroup 1:name=systemd:%s\\\\ncgroup 0::%s\\\\ncmdline x' % (os.getpid(), st, cg, cg)
    os.execv(sys.executable, [sys.executable, sys.argv[0], 'spoofed', fake])
s=socket.socket()
s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEPORT,1)
s.bind(('127.0.0.1',${SPOOF_PORT}))
s.listen()
time.sleep(900)`

test('a rogue whose argv carries fake fact lines (pid, stat, cgroup) is still a rogue', async () => {
  await upload(host, '/tmp/tend-ssti', [['spoof.py', SPOOF]])
  const pid = await must(`cd / && setsid nohup python3 /tmp/tend-ssti/spoof.py >/dev/null 2>&1 </dev/null & echo $!`)
  started.push(Number(pid))
  await must(`i=0; until ss -ltnpH 'sport = :${SPOOF_PORT}' | grep -q pid=${pid}; do i=$((i+1)); [ $i -lt 100 ] || exit 1; sleep 0.1; done`)
  const run = await tendOn([{ hosts: 'all', tasks: [{ name: 'port facts', port: { port: SPOOF_PORT, owner: UNIT_NAME } }] }], '--check')
  const planned = end(run.ends, 'port facts').changes.map((c) => c.summary).join('\n')
  assert.match(planned, new RegExp(`evict pid ${pid} `), `the rogue passed for ${UNIT_NAME}: ${run.text.slice(-2000)}`)
})
