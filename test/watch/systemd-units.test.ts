/**
 * The shipped systemd units, started by systemd on a test host that converges itself
 * (ansible_connection: local): tend-watch.service fixes the incident under its hardening, reloads
 * on `systemctl reload`, stops cleanly; tend-run@.service does one run; tend-run@.timer starts it.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { HOST_CHECKOUT, UNIT_NAME } from '../../src/testbed/index.js'
import { shQuote } from '../../src/transport/quote.js'
import { REPO, portHolders, routeStatuses } from '../e2e/support.js'
import { processExists } from '../modules/systemd-harness.js'
import { leaseHosts, stage } from '../support/testbed.js'
import { eventually, withLockHeld } from './support.js'

const [host] = await leaseHosts(1) as [Awaited<ReturnType<typeof leaseHosts>>[0]]

async function on(script: string): Promise<string> {
  const result = await host.sh(script, { timeoutMs: 180_000 })
  assert.equal(result.exitCode, 0, `${script}\n${result.stderr}`)
  return result.stdout.trim()
}

const show = async (unit: string, property: string) => on(`systemctl show -p ${property} --value ${unit}`)

async function fixed(roguePid: number): Promise<boolean> {
  if (await processExists(host, roguePid)) return false
  const holders = await portHolders(host)
  if (holders.length === 0 || holders.some((h) => h.cgroup !== `/system.slice/${UNIT_NAME}`)) return false
  return (await routeStatuses(host)).every((s) => s === 200)
}

// The checkout is bind-mounted read-only in every test host, also at HOST_CHECKOUT (/opt/tend),
// outside /tmp: the units' PrivateTmp would hide a checkout cloned under /tmp. node is visible too.
await on(`set -e
ln -sf ${shQuote(join(HOST_CHECKOUT, 'bin/tend.js'))} /usr/local/bin/tend
mkdir -p /etc/tend
cp ${shQuote(join(REPO, 'playbooks/api-recover.yaml'))} /etc/tend/site.yaml
printf 'all:\\n  hosts:\\n    self: { ansible_connection: local }\\n' > /etc/tend/inventory.yaml
printf '%s\\n' 'TEND_EVERY=5s' 'TEND_WATCH_ARGS=--splay 5s --metrics 127.0.0.1:9464 -e stable_seconds=1' > /etc/tend/watch.env
printf '%s\\n' 'TEND_RUN_ARGS=-e stable_seconds=1' > /etc/tend/site.env
cp ${shQuote(join(REPO, 'contrib/systemd'))}/tend-* /etc/systemd/system/
systemctl daemon-reload`)

test('tend-watch.service runs hardened, fixes the incident, records it in /var/lib/tend, reloads and stops cleanly', async () => {
  await on('systemctl start tend-watch.service')
  try {
    await eventually('a healthy /healthz', async () => {
      const r = await host.sh(`node -e "fetch('http://127.0.0.1:9464/healthz').then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"`)
      return r.exitCode === 0
    })
    assert.equal(await show('tend-watch.service', 'ProtectSystem'), 'strict')
    assert.equal(await show('tend-watch.service', 'NoNewPrivileges'), 'yes')
    // Staged under the host lock, as another tend would hold it: the service waits its turn.
    const { roguePids } = await withLockHeld(host, () => stage(host, 'loop'))
    await eventually('the incident fixed by the service', () => fixed(roguePids[0]!))
    const recorded = await eventually('the corrected cycle in the history', async () => {
      const out = await on('tend history --state-dir /var/lib/tend --json')
      return out.includes(`evict pid ${roguePids[0]}`) ? out : undefined
    })
    assert.match(recorded, /"outcome":"corrected"/)
    await eventually('the correction in the journal', async () =>
      (await on('journalctl -u tend-watch.service -o cat --no-pager')).includes(`evict pid ${roguePids[0]}`))
    await on('systemctl reload tend-watch.service')
    await eventually('the reload in the journal', async () =>
      (await on('journalctl -u tend-watch.service -o cat --no-pager')).includes('reloaded'))
    const metrics = await on(`node -e "fetch('http://127.0.0.1:9464/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))"`)
    assert.match(metrics, /tend_drift_corrected_total\{host="self",task="1\.2",module="port"\} 1/)
  } finally {
    await host.sh('systemctl stop tend-watch.service')
  }
  assert.equal(await show('tend-watch.service', 'Result'), 'success')
  assert.equal(await show('tend-watch.service', 'ExecMainStatus'), '0')
})

test('tend-run@site.service converges once; tend-run@site.timer (RandomizedDelaySec) starts it', async () => {
  const { roguePids } = await stage(host, 'loop')
  await on('systemctl start tend-run@site.service')
  assert.equal(await show('tend-run@site.service', 'Result'), 'success')
  assert.equal(await fixed(roguePids[0]!), true)
  assert.equal(await show('tend-run@site.timer', 'RandomizedDelayUSec'), '10min')
  // For the test, fire soon after start instead of on the half hour.
  await on(`mkdir -p /etc/systemd/system/tend-run@.timer.d
printf '[Timer]\\nOnCalendar=\\nOnActiveSec=1s\\nRandomizedDelaySec=2s\\n' > /etc/systemd/system/tend-run@.timer.d/test.conf
systemctl daemon-reload`)
  const before = await show('tend-run@site.service', 'InvocationID')
  const again = await stage(host, 'loop')
  await on('systemctl start tend-run@site.timer')
  try {
    await eventually('the timer starting a run that fixes the host', async () =>
      (await show('tend-run@site.service', 'InvocationID')) !== before && (await show('tend-run@site.service', 'ActiveState')) === 'inactive'
      && (await show('tend-run@site.service', 'Result')) === 'success')
    assert.equal(await fixed(again.roguePids[0]!), true)
  } finally {
    await host.sh('systemctl stop tend-run@site.timer; rm -rf /etc/systemd/system/tend-run@.timer.d; systemctl daemon-reload')
  }
})

test('the units name only paths tend has', () => {
  const watch = readFileSync(join(REPO, 'contrib/systemd/tend-watch.service'), 'utf8')
  assert.match(watch, /^StateDirectory=tend$/m)
  assert.match(watch, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m)
  assert.match(readFileSync(join(REPO, 'contrib/systemd/tend-run@.timer'), 'utf8'), /^RandomizedDelaySec=/m)
})
