/**
 * The secrets matrix: 33 distinct secret values, given with -e (KEY=VALUE, @FILE, inline JSON) or
 * as vars of no_log tasks, used under every kind of no_log (task, include_tasks with a loop,
 * import_tasks, include_role, a roles: entry, block, loop labels, a registered result, an ignored
 * failure, a command), and some -e values used in plain view (a task name, a diff). Then every
 * view is searched: plain, --json, -v, -vv, -vvv, --check, --diff, a failing run's output and
 * tend resume's refusal, tend runs (list, detail, JSON), tend history (text, JSON), the raw bytes of
 * every file of the state dir, and the fleet page's JSON and event stream. Zero hits; the values
 * in plain view must be absent from every record and page (the store keeps no -e value in clear).
 */
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { get } from 'node:http'
import { join } from 'node:path'
import { test } from 'node:test'
import { spawnSync } from 'node:child_process'
import { TEND, cleanEnv, project, start, tend, type Finished } from '../cli/support.js'
import { startWatch } from '../watch/process.js'

/** Each secret has a unique core of letters and digits, found whatever escaping a view applies. */
const core = (name: string) => `Qz${name.replace(/[^a-z0-9]/gi, '')}x9Kv`
const DECOR = [' with spaces', "'quoted'", '"double"', '$HOME;`id`', 'ünïcödé', '<b>tag</b>', '%s%n', 'back\\slash']
const value = (name: string, i: number) => `${core(name)}${DECOR[i % DECOR.length]}`

/** Under no_log, given with -e KEY=VALUE. */
const PAIRS = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'a10', 'a11', 'a12', 'a13', 'a14', 'r1', 'r2', 'r3']
/** Under no_log, from -e @secrets.yaml. */
const FROM_FILE = ['f1', 'f2', 'f3', 'f4']
/** Under no_log, from -e '{json}'. */
const FROM_JSON = ['j1', 'j2']
/** Vars of no_log tasks, written in the playbook. */
const LITERAL = ['l1', 'l2', 'l3']
/** -e values shown in plain view (a task name, a debug message, a file diff): never in a record. */
const SHOWN = ['c1', 'c2', 'c3', 'c4']
/** Under no_log in the failing run. */
const FAILING = ['e1', 'e2', 'e3']
const ALL = [...PAIRS, ...FROM_FILE, ...FROM_JSON, ...LITERAL, ...SHOWN, ...FAILING]
const secret = Object.fromEntries(ALL.map((name, i) => [name, value(name, i)]))
const v = (name: string) => `{{ ${name} }}`

const PLAYBOOK = `- hosts: all
  roles:
    - { role: hidden, no_log: true }
  tasks:
    - name: a no_log task with its own vars
      debug: { msg: "${v('a1')} ${v('l1')}" }
      vars: { l1: ${JSON.stringify(secret.l1)} }
      register: reg1
      no_log: true
    - name: set_fact under no_log
      set_fact: { fact1: "${v('a2')}" }
      no_log: true
    - name: a file under no_log
      copy: { dest: "{{ playbook_dir }}/out/f1", content: "${v('a3')} ${v('f1')}\\n" }
      no_log: true
    - name: an include looping over secrets under no_log
      include_tasks: inc.yaml
      loop: ["${v('a4')}", "${v('a5')}", "${v('f2')}"]
      no_log: true
    - name: an import under no_log
      import_tasks: imp.yaml
      no_log: true
    - include_role: { name: hidden2 }
      no_log: true
    - block:
        - name: in a block
          debug: { msg: "${v('a8')} ${v('j1')}" }
        - name: a file in a block
          copy: { dest: "{{ playbook_dir }}/out/f2", content: "${v('a9')}\\n" }
      no_log: true
    - name: a loop with labels under no_log
      debug: { msg: "{{ item }}" }
      loop: ["${v('a10')}", "${v('a11')}", "${v('j2')}"]
      loop_control: { label: "label {{ item }}" }
      no_log: true
    - name: a failure under no_log, ignored
      fail: { msg: "${v('a12')} ${v('l2')}" }
      vars: { l2: ${JSON.stringify(secret.l2)} }
      ignore_errors: true
      no_log: true
    - name: a command under no_log
      command: ["printf", "%s", "${v('a13')} ${v('f3')}"]
      changed_when: false
      no_log: true
    - name: a registered result used under no_log
      debug: { msg: "{{ reg1 }} {{ fact1 }} ${v('a14')} ${v('f4')}" }
      no_log: true
    - name: "deploy ${v('c1')}"
      debug: { msg: "${v('c2')}" }
    - name: a file not under no_log
      copy: { dest: "{{ playbook_dir }}/out/f3", content: "${v('c3')}\\n" }
    - name: say ${v('c4')}
      command: ["printf", "%s", "${v('c4')}"]
      changed_when: false
`

const FAILING_PLAYBOOK = `- hosts: all
  tasks:
    - name: fails under no_log
      command: ["sh", "-c", "echo ${v('e1')}; echo ${v('e2')} >&2; exit 3"]
      vars: { l3: ${JSON.stringify(secret.l3)} }
      no_log: true
    - name: never reached
      debug: { msg: "${v('e3')}" }
`

const files = {
  'site.yaml': PLAYBOOK,
  'fail.yaml': FAILING_PLAYBOOK,
  'inc.yaml': `- name: inside the include\n  debug: { msg: "{{ item }}" }\n- name: a file per item\n  copy: { dest: "{{ playbook_dir }}/out/inc-{{ ansible_loop.index0 | default(0) }}", content: "{{ item }}" }\n`,
  'imp.yaml': `- name: inside the import\n  debug: { msg: "${v('a6')}" }\n`,
  'roles/hidden/tasks/main.yaml': `- name: a role's task\n  debug: { msg: "${v('r1')} ${v('r2')}" }\n`,
  'roles/hidden2/tasks/main.yaml': `- name: an included role's task\n  debug: { msg: "${v('a7')} ${v('r3')}" }\n`,
  'secrets.yaml': FROM_FILE.map((n) => `${n}: ${JSON.stringify(secret[n])}`).join('\n') + '\n',
  'inventory.yaml': 'all:\n  hosts:\n    alpha: { ansible_connection: local }\n    beta: { ansible_connection: local }\n',
  'out/.keep': '',
}
const dir = await project(files)
const stateDir = join(dir, 'state')
const env = cleanEnv({ TEND_STATE_DIR: stateDir })
const extraVars = [
  ...[...PAIRS, ...SHOWN].flatMap((n) => ['-e', `${n}=${secret[n]}`]),
  '-e', '@secrets.yaml', '-e', JSON.stringify(Object.fromEntries(FROM_JSON.map((n) => [n, secret[n]]))),
]
const failingVars = FAILING.flatMap((n) => ['-e', `${n}=${secret[n]}`])

const shQuote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`

/** The secrets found in a text (by their cores), as names. */
function hits(text: string, names: readonly string[]): string[] {
  return names.filter((n) => text.includes(core(n)))
}

const views: { name: string; text: string; names: readonly string[] }[] = []
const NO_LOG = ALL.filter((n) => !SHOWN.includes(n))
const see = (name: string, out: Finished | string, names: readonly string[] = NO_LOG) =>
  views.push({ name, text: typeof out === 'string' ? out : `${out.stdout}\n${out.stderr}`, names })

function serve(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = start(['serve', '--listen', '127.0.0.1:0', '--state-dir', stateDir], dir, env)
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /tend serve: (http:\/\/\S+)/.exec(out)
      if (m) resolve({ url: m[1]!.replace(/\/$/, ''), stop: () => new Promise((done) => (child.once('exit', () => done()), child.kill('SIGTERM'))) })
    })
    child.once('exit', (code) => reject(new Error(`tend serve exited ${code}: ${out}`)))
  })
}

/** The event stream's first second. */
function streamText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    const req = get(url, (res) => {
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
    })
    req.on('error', (error) => (text === '' ? reject(error) : resolve(text)))
    setTimeout(() => {
      req.destroy()
      resolve(text)
    }, 1000)
  })
}

function everyFile(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name)
    return statSync(path).isDirectory() ? everyFile(path) : [path]
  })
}

test(`${ALL.length} secrets × every view: zero hits`, async () => {
  assert.ok(ALL.length >= 30 && new Set(ALL.map((n) => secret[n])).size === ALL.length)
  const run = (...args: string[]) => tend(['run', 'site.yaml', '-i', 'inventory.yaml', ...extraVars, ...args], dir, env)
  // --check first: nothing is written yet, so it plans every change.
  for (const mode of [['--check'], ['--check', '--diff'], [], ['--json'], ['-v'], ['-vv'], ['-vvv'], ['--diff'], ['--json', '-vvv']]) {
    const out = await run(...mode)
    assert.ok(out.code === 0 || out.code === 3, `tend run ${mode.join(' ')}: ${out.code}\n${out.stderr}`)
    see(`tend run ${mode.join(' ') || '(plain)'}`, out)
  }
  // The live view (listr2) on a pty: `script` gives tend a terminal of 120 columns.
  const command = `stty cols 120 rows 40; ${[process.execPath, TEND, 'run', 'site.yaml', '-i', 'inventory.yaml', '-v', ...extraVars].map(shQuote).join(' ')}`
  const live = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: dir, env: { ...env, TERM: 'xterm' }, encoding: 'utf8', timeout: 120_000 })
  assert.equal(live.status, 0, live.stdout)
  assert.match(live.stdout, /PLAY RECAP/)
  see('the live view on a terminal', live.stdout)
  // The -e values shown in plain view are shown (so the matrix searches for something real).
  assert.deepEqual(hits(views.find((v) => v.name === 'tend run --check --diff')!.text, SHOWN), SHOWN)

  const failed = await tend(['run', 'fail.yaml', '-i', 'inventory.yaml', ...failingVars], dir, env)
  assert.equal(failed.code, 2, failed.stderr)
  see('a failing run', failed)
  const resumeWith = /resume with: (tend resume \S+.*)/.exec(failed.stdout)?.[1] ?? ''
  assert.match(resumeWith, /-e 'e1=…' -e 'e2=…' -e 'e3=…'/)
  const runId = /tend resume (\S+)/.exec(resumeWith)![1]!
  const different = await tend(['resume', runId, '-e', `e1=other-${core('e1')}-x`, '-e', `e2=${secret.e2}`, '-e', `e3=${secret.e3}`], dir, env)
  assert.equal(different.code, 5)
  assert.match(different.stderr, new RegExp(`-e e1 differs from the value run ${runId} was started with`))
  assert.doesNotMatch(different.stderr, /-e e[23] /)
  see('tend resume refusing a different -e', different)
  const missing = await tend(['resume', runId], dir, env)
  assert.equal(missing.code, 5)
  for (const n of FAILING) assert.match(missing.stderr, new RegExp(`-e ${n} is missing: run ${runId} was started with it`))
  see('tend resume refusing a missing -e', missing)
  const same = await tend(['resume', runId, ...failingVars, '--json'], dir, env)
  assert.equal(same.code, 2, same.stderr)
  assert.match(same.stdout, /"resumed":true/)
  see('tend resume with the same -e', same)

  const records = [...ALL]
  see('tend runs', await tend(['runs'], dir, env), records)
  see('tend runs --json', await tend(['runs', '--json'], dir, env), records)
  const ids = (JSON.parse((await tend(['runs', '--json'], dir, env)).stdout) as { id: string }[]).map((r) => r.id)
  assert.ok(ids.length >= 10)
  for (const id of ids) {
    see(`tend runs ${id}`, await tend(['runs', id], dir, env), records)
    see(`tend runs ${id} --json`, await tend(['runs', id, '--json'], dir, env), records)
  }
  see('tend history', await tend(['history', '--status', 'all'], dir, env), records)
  see('tend history --json', await tend(['history', '--status', 'all', '--json'], dir, env), records)

  const page = await serve()
  try {
    for (const path of ['/api/fleet', '/api/runs', '/api/host?name=alpha', '/api/host?name=beta', '/api/charts?hours=24', '/api/charts?hours=24&host=alpha',
      ...ids.map((id) => `/api/run?id=${id}`)]) {
      const response = await fetch(page.url + path)
      assert.equal(response.status, 200, path)
      see(`GET ${path}`, await response.text(), records)
    }
    see('GET /events', await streamText(`${page.url}/events`), records)
  } finally {
    await page.stop()
  }

  const stateFiles = everyFile(stateDir)
  assert.ok(stateFiles.some((f) => f.endsWith('tend.db')))
  for (const file of stateFiles) {
    see(`raw bytes of ${file.slice(stateDir.length + 1)}`, readFileSync(file).toString('latin1'), records)
    // utf-8 too: a value with non-ASCII characters is searched by its ASCII core either way.
    assert.equal((statSync(file).mode & 0o777).toString(8), '600', file)
  }
  assert.equal((statSync(stateDir).mode & 0o777).toString(8), '700')

  const found = views.flatMap((view) => hits(view.text, view.names).map((n) => `${view.name}: ${n}`))
  process.stdout.write(`# secrets matrix: ${ALL.length} secrets × ${views.length} views, ${found.length} hits\n`)
  assert.deepEqual(found, [])
})

test('the same secrets through tend watch: its events, its page (JSON and events), its history and its state dir hold none', async () => {
  const watchState = join(dir, 'watch-state')
  const watch = startWatch(dir, ['site.yaml', '-i', 'inventory.yaml', ...extraVars, '--every', '2s', '--metrics', '127.0.0.1:0'], watchState)
  const found: string[] = []
  const search = (name: string, text: string, names: readonly string[]) => found.push(...hits(text, names).map((n) => `${name}: ${n}`))
  try {
    for (const host of ['alpha', 'beta']) await watch.waitFor(`a cycle of ${host}`, (e) => e.type === 'cycle-end' && e.host === host)
    const base = (await watch.metricsUrl()).replace(/\/metrics$/, '')
    for (const path of ['/api/fleet', '/api/runs', '/api/host?name=alpha', '/api/host?name=beta']) {
      const response = await fetch(base + path)
      assert.equal(response.status, 200, path)
      search(`watch GET ${path}`, await response.text(), ALL)
    }
    search('watch GET /events', await streamText(`${base}/events`), ALL)
  } finally {
    watch.child.kill('SIGTERM')
  }
  assert.equal(await watch.exited, 0, watch.stderr())
  search('tend watch --json', JSON.stringify(watch.events) + watch.stderr(), NO_LOG)
  search('tend history of the watch', (await tend(['history', '--status', 'all', '--json', '--state-dir', watchState], dir, env)).stdout, ALL)
  for (const file of everyFile(watchState)) search(`raw bytes of the watch's ${file.slice(watchState.length + 1)}`, readFileSync(file).toString('latin1'), ALL)
  assert.deepEqual(found, [])
})
