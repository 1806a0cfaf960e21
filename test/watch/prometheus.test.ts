/**
 * tend's metrics read by a real Prometheus (Debian's `prometheus`, on loopback): it scrapes a
 * `tend watch --metrics` and a `tend worker --metrics`, `promtool check metrics` passes on both,
 * and the rule a user would write for "a host failed" fires on the host's first failure (its
 * series exist at 0 before it, so `increase()` has something to compare with).
 */
import assert from 'node:assert/strict'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, test } from 'node:test'
import { REPO } from '../web/support.js'
import { cleanEnv, project, start } from '../cli/support.js'
import { freePort, startRedis } from '../support/redis.js'
import { startWatch } from './process.js'

const running = new Set<ChildProcess>()
after(async () => {
  for (const child of running) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    const gone = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await gone
  }
})

async function text(url: string): Promise<string> {
  const res = await fetch(url)
  assert.equal(res.status, 200, url)
  return res.text()
}

function promtoolCheck(metrics: string): void {
  // Exit 0: valid exposition format and no lint problem (promtool exits 3 on lint, 1 on parse).
  execFileSync('promtool', ['check', 'metrics'], { input: metrics, stdio: ['pipe', 'pipe', 'pipe'] })
}

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = await check().catch(() => undefined)
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`)
    await sleep(250)
  }
}

interface PromAlert { readonly labels: Readonly<Record<string, string>>; readonly state: string }

test('Prometheus scrapes watch and worker, promtool passes both, and the failure alert fires on a host\'s first failure', async () => {
  const dir = await project({
    'pb.yaml': `- hosts: all
  tasks:
    - name: "healthy unless {{ playbook_dir }}/fail-{{ inventory_hostname }} exists"
      command: "test ! -e {{ playbook_dir }}/fail-{{ inventory_hostname }}"
      changed_when: false
`,
    'inv.yaml': 'all:\n  hosts:\n    one: { ansible_connection: local }\n    two: { ansible_connection: local }\n',
  })
  const watchPort = await freePort()
  const watch = startWatch(dir, ['pb.yaml', '-i', 'inv.yaml', '--every', '1s', '--metrics', `127.0.0.1:${watchPort}`])
  running.add(watch.child)

  const redis = await startRedis()
  after(() => redis.dispose())
  const workerPort = await freePort()
  const worker = start(['worker', '--queue', redis.url, '--name', 'w-prom', '--metrics', `127.0.0.1:${workerPort}`], REPO, cleanEnv())
  redis.track(worker)
  running.add(worker)

  const promDir = mkdtempSync(join(tmpdir(), 'tend-prometheus-'))
  writeFileSync(join(promDir, 'rules.yml'), `groups:
  - name: tend
    interval: 1s
    rules:
      - alert: TendHostFailed
        expr: increase(tend_host_runs_total{outcome="failed"}[1m]) > 0
`)
  writeFileSync(join(promDir, 'prometheus.yml'), `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [rules.yml]
scrape_configs:
  - job_name: watch
    static_configs: [{ targets: ['127.0.0.1:${watchPort}'] }]
  - job_name: worker
    static_configs: [{ targets: ['127.0.0.1:${workerPort}'] }]
`)
  execFileSync('promtool', ['check', 'config', join(promDir, 'prometheus.yml')], { stdio: 'pipe' })
  const promPort = await freePort()
  const prometheus = spawn('prometheus', [
    `--config.file=${join(promDir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(promDir, 'data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] })
  running.add(prometheus)
  let promLog = ''
  prometheus.stderr?.on('data', (d: Buffer) => (promLog += d.toString()))
  const api = `http://127.0.0.1:${promPort}/api/v1`

  // Both targets up in Prometheus's own eyes (its scrape went through tend's Host check).
  await eventually('both targets up', async () => {
    const body = await (await fetch(`${api}/targets`)).json() as { data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] } }
    const health = body.data.activeTargets.map((t) => `${t.labels.job}:${t.health}`).sort()
    return health.join(',') === 'watch:up,worker:up' ? health : undefined
  }).catch((error: unknown) => assert.fail(`${String(error)}\n${promLog}`))
  promtoolCheck(await text(`http://127.0.0.1:${watchPort}/metrics`))
  promtoolCheck(await text(`http://127.0.0.1:${workerPort}/metrics`))

  // Healthy cycles first: the failed series are there, at 0, and the alert is silent.
  await eventually('two ok cycles of each host', async () =>
    ['one', 'two'].every((h) => watch.events.filter((e) => e.type === 'cycle-end' && e.host === h && e.outcome === 'ok').length >= 2) ? true : undefined)
  const failedSeries = await eventually('failed series at 0 in Prometheus', async () => {
    const body = await (await fetch(`${api}/query?query=${encodeURIComponent('tend_host_runs_total{outcome="failed"}')}`)).json() as { data: { result: { metric: { host: string }; value: [number, string] }[] } }
    return body.data.result.length === 2 ? body.data.result : undefined
  })
  assert.deepEqual(failedSeries.map((r) => [r.metric.host, r.value[1]]).sort(), [['one', '0'], ['two', '0']])
  const silent = await (await fetch(`${api}/alerts`)).json() as { data: { alerts: PromAlert[] } }
  assert.deepEqual(silent.data.alerts, [])

  // One failure of `two`: the alert fires for `two`, not for `one`.
  writeFileSync(join(dir, 'fail-two'), '')
  const firing = await eventually('the alert firing', async () => {
    const body = await (await fetch(`${api}/alerts`)).json() as { data: { alerts: PromAlert[] } }
    const alerts = body.data.alerts.filter((a) => a.state === 'firing')
    return alerts.length > 0 ? alerts : undefined
  })
  assert.deepEqual(firing.map((a) => [a.labels.alertname, a.labels.host]), [['TendHostFailed', 'two']])

  // The worker's own series: at 0 from its start, with its build and process metrics.
  const workerText = await text(`http://127.0.0.1:${workerPort}/metrics`)
  assert.match(workerText, /tend_worker_jobs_total\{worker="w-prom",result="failed"\} 0/)
  assert.match(workerText, /tend_build_info\{version="[^"]+",node="[^"]+"\} 1/)
  assert.match(workerText, /process_cpu_seconds_total \d/)
  watch.child.kill('SIGTERM')
  assert.equal(await watch.exited, 0, watch.stderr())
})
