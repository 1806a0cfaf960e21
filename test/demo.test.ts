import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cleanEnv, tend } from './cli/support.js'
import { REPO } from './e2e/support.js'

test('tend demo stages the incident, fixes it, shows a no-op second run, deploys release 2 and tears its host down', {
  skip: process.getuid?.() !== 0 ? 'needs root to boot a host' : false,
}, async () => {
  const run = await tend(['demo'], REPO, cleanEnv({ NO_COLOR: '1' }))
  assert.equal(run.code, 0, run.stdout + run.stderr)
  const [broken, plan, fix, fixed, again, deploy, deployed] = run.stdout.split('\n== ').slice(2)
  assert.match(broken!, /routes: 10\/10 answer 200, served by pid (\d+), release 1\n/)
  const roguePid = broken!.match(/:8000 held by pid (\d+) in \/user\.slice/)?.[1]
  assert.ok(roguePid, broken)
  assert.match(plan!, new RegExp(`evict pid ${roguePid} `))
  assert.match(fix!, /changed=1\s+unreachable=0\s+failed=0/)
  assert.match(fixed!, /:8000 held by pid \d+ in \/system\.slice\/scidex-api\.service/)
  assert.match(again!, /ok=7\s+changed=0\s+unreachable=0\s+failed=0/)
  const stalePid = fixed!.match(/served by pid (\d+)/)?.[1]
  assert.match(deploy!, new RegExp(`restart scidex-api\\.service: pid ${stalePid} \\(.*\\) started .* before /opt/scidex/RELEASE changed at `))
  assert.match(deploy!, /changed=2\s+unreachable=0\s+failed=0/)
  assert.match(deployed!, /routes: 10\/10 answer 200, served by pid (\d+), release 2\n/)
  assert.notEqual(deployed!.match(/served by pid (\d+)/)?.[1], stalePid)
  assert.match(run.stdout, /== Tearing the host down/)
})
