/** The fresh module on a real test host: processes of a real unit against the code on its disk. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Transport } from '../../src/transport/types.js'
import { APP_DIR, APP_PATH, UNIT_NAME, resetToBaseline } from '../../src/testbed/index.js'
import { leaseHost, type TestHost } from '../support/testbed.js'
import { contextFor, converge, convergeInHost, mainPid, onHost, sshTo } from './systemd-harness.js'

let host: TestHost
let ssh: Transport

before(async () => {
  host = await leaseHost()
  ssh = await sshTo(host)
})
after(async () => {
  await host?.sh(WORKER_CLEANUP)
  await ssh?.close()
})

const spec = (extra: Record<string, unknown> = {}) => ({ unit: UNIT_NAME, paths: [APP_DIR], ...extra })

/** A process's start as epoch seconds, computed on the host from /proc (independently of tend). */
async function startedAt(pid: number): Promise<number> {
  return Number(await onHost(host, `read up _ < /proc/uptime; now=$(date +%s.%N)
ticks=$(tr '\\n' ' ' < /proc/${pid}/stat | sed 's/.*) //' | cut -d' ' -f20)
echo "$now $up $ticks $(getconf CLK_TCK)" | awk '{ printf "%.3f", $1 - $2 + $3 / $4 }'`))
}

/** Changes the app's code on disk; returns the file's new mtime (epoch seconds, from the host). */
async function appendToApp(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 50))
  return Number(await onHost(host, `echo '# changed by the test' >> ${APP_PATH}; stat -c %.9Y ${APP_PATH}`))
}

describe('fresh over ssh', () => {
  it('changes nothing while the unit runs the code on disk, twice', async () => {
    for (const pass of [1, 2]) {
      const result = await converge('fresh', await contextFor(ssh), spec())
      assert.deepEqual([result.changes, result.failure], [[], undefined], `pass ${pass}`)
    }
  })

  it('restarts the unit when its code changed after it started, naming the process and the file', async () => {
    const before = await mainPid(host)
    const changedAt = await appendToApp()
    const result = await converge('fresh', await contextFor(ssh), spec())
    assert.equal(result.failure, undefined)
    assert.equal(result.changes.length, 1)
    assert.match(result.changes[0]!, new RegExp(`^restart ${UNIT_NAME}: pid ${before} \\(/usr/bin/python3 ${APP_PATH}\\) started \\S+ \\S+ UTC, before ${APP_PATH} changed at \\S+ \\S+ UTC$`))
    const after = await mainPid(host)
    assert.notEqual(after, before)
    assert.ok((await startedAt(after)) > changedAt, 'the new process started after the change')
    assert.deepEqual((await converge('fresh', await contextFor(ssh), spec())).changes, [], 'a second pass changes nothing')
  })

  it('ignores changes under the excluded names (__pycache__, *.pyc, .git)', async () => {
    await onHost(host, `mkdir -p ${APP_DIR}/__pycache__ ${APP_DIR}/.git && touch ${APP_DIR}/__pycache__/x.cpython-311.pyc ${APP_DIR}/.git/index ${APP_DIR}/old.pyc`)
    assert.deepEqual((await converge('fresh', await contextFor(ssh), spec())).changes, [])
    const pid = await mainPid(host)
    await onHost(host, `touch ${APP_DIR}/.git/index`)
    const custom = await converge('fresh', await contextFor(ssh), spec({ exclude: ['__pycache__'] }))
    assert.match(custom.changes[0] ?? '', new RegExp(`before ${APP_DIR}/\\.git/index changed`))
    assert.notEqual(await mainPid(host), pid)
  })

  it('as a gate (restart: false) fails naming the stale process, and restarts nothing', async () => {
    const pid = await mainPid(host)
    await appendToApp()
    const result = await converge('fresh', await contextFor(ssh), spec({ restart: false }))
    assert.match(result.failure ?? '', /restart: false/)
    assert.match(result.changes[0] ?? '', new RegExp(`^${UNIT_NAME} runs stale code: pid ${pid} `))
    assert.equal(await mainPid(host), pid)
  })

  it('fails naming an emptied code directory, and does not restart', async () => {
    const pid = await mainPid(host)
    await onHost(host, `rm -rf ${APP_DIR}/* && mkdir -p ${APP_DIR}/__pycache__ && touch ${APP_DIR}/__pycache__/a.pyc`)
    const result = await converge('fresh', await contextFor(ssh), spec())
    assert.match(result.failure ?? '', new RegExp(`^${APP_DIR} holds no file \\(after exclude\\)`))
    await onHost(host, `rm -rf ${APP_DIR}`)
    const missing = await converge('fresh', await contextFor(ssh), spec({ paths: [APP_DIR, '/etc/hostname'] }))
    assert.match(missing.failure ?? '', new RegExp(`^${APP_DIR} does not exist`))
    assert.equal(await mainPid(host), pid, 'the unit was not restarted onto missing code')
    await resetToBaseline(host)
    await ssh.close()
    ssh = await sshTo(host) // the reset ends every ssh session on the host, ours too
  })
})

const WORKER_UNIT = 'tend-fresh-worker.service'
const WORKER_DIR = '/opt/tend-fresh-worker'
/** A unit whose main process spawns a worker; the worker maps data.bin (as a model or a .so would be). */
const WORKER_SETUP = `set -e
mkdir -p ${WORKER_DIR}
head -c 65536 /dev/urandom > ${WORKER_DIR}/data.bin
cat > ${WORKER_DIR}/main.py <<'EOF'
import mmap, subprocess, sys, time
WORKER = "import mmap, time\\nf = open('${WORKER_DIR}/data.bin', 'rb')\\nm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)\\nf.close()\\nwhile True: time.sleep(60)\\n"
subprocess.Popen([sys.executable, '-c', WORKER])
while True: time.sleep(60)
EOF
printf '[Service]\\nExecStart=/usr/bin/python3 ${WORKER_DIR}/main.py\\n' > /run/systemd/system/${WORKER_UNIT}
systemctl daemon-reload
systemctl start ${WORKER_UNIT}
sleep 1 # the worker maps its file only once python has started
`
const WORKER_CLEANUP = `systemctl stop ${WORKER_UNIT} 2>/dev/null; rm -rf /run/systemd/system/${WORKER_UNIT} ${WORKER_DIR}; systemctl daemon-reload`

/** Pids of the worker unit's processes and whether each maps a deleted file, read from /proc. */
async function workerProcs(): Promise<{ pid: number; deleted: boolean }[]> {
  const out = await onHost(host, `cg=$(systemctl show -p ControlGroup --value ${WORKER_UNIT})
for p in $(cat /sys/fs/cgroup/systemd$cg/cgroup.procs); do
  printf '%s %s\\n' $p $(grep -c '${WORKER_DIR}/data.bin (deleted)$' /proc/$p/maps); done`)
  return out.split('\n').map((l) => ({ pid: Number(l.split(' ')[0]), deleted: l.split(' ')[1] !== '0' }))
}

describe('fresh and deleted files', () => {
  it('restarts a unit whose worker process maps a file replaced since, naming the worker', async () => {
    await onHost(host, WORKER_SETUP)
    const main = await mainPid(host, WORKER_UNIT)
    const procs = await workerProcs()
    const worker = procs.find((p) => p.pid !== main)!.pid
    assert.deepEqual((await converge('fresh', await contextFor(ssh), { unit: WORKER_UNIT, paths: [WORKER_DIR] })).changes, [])
    // Replaced the way deployments do it: a new file renamed over the old one.
    await onHost(host, `head -c 65536 /dev/urandom > ${WORKER_DIR}/.new && mv ${WORKER_DIR}/.new ${WORKER_DIR}/data.bin`)
    assert.deepEqual((await workerProcs()).find((p) => p.pid === worker)?.deleted, true)
    const result = await converge('fresh', await contextFor(ssh), { unit: WORKER_UNIT, paths: [`${WORKER_DIR}/main.py`] })
    assert.equal(result.failure, undefined)
    assert.match(result.changes[0] ?? '', new RegExp(`^restart ${WORKER_UNIT}: pid ${worker} \\(/usr/bin/python3 -c import mmap.*\\) maps ${WORKER_DIR}/data\\.bin, deleted or replaced since it was mapped$`))
    const after = await workerProcs()
    assert.equal(after.length, 2)
    assert.ok(after.every((p) => p.pid !== worker && p.pid !== main && !p.deleted), JSON.stringify(after))
    assert.deepEqual((await converge('fresh', await contextFor(ssh), { unit: WORKER_UNIT, paths: [WORKER_DIR] })).changes, [])
  })
})

describe('fresh through the local transport inside the host', () => {
  it('restarts a unit whose code changed, then changes nothing', async () => {
    await resetToBaseline(host)
    await ssh.close()
    ssh = await sshTo(host)
    const before = await mainPid(host)
    await appendToApp()
    const first = await convergeInHost(host, 'fresh', spec())
    assert.equal(first.failure, undefined)
    assert.match(first.changes[0] ?? '', new RegExp(`^restart ${UNIT_NAME}: pid ${before} `))
    assert.notEqual(await mainPid(host), before)
    assert.deepEqual((await convergeInHost(host, 'fresh', spec())).changes, [])
  })
})
