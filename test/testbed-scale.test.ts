import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { bootHosts, httpGet, readState, teardown } from '../src/testbed/index.js'
import { isAlive } from '../src/testbed/proc.js'
import { run } from '../src/testbed/exec.js'

const COUNT = 10

test(`${COUNT} extra hosts boot, serve the app, and tear down without leaving netns, mounts, processes or cgroups`, async () => {
  const started = Date.now()
  // Its own prefix, and addresses allocated beside the run's testbed, which stays untouched.
  const bed = await bootHosts({ count: COUNT, prefix: 'tend-s', owner: 'process' })
  const { stateDir } = bed
  const bootSeconds = (Date.now() - started) / 1000
  try {
    assert.equal(bed.hosts.length, COUNT)
    for (const h of bed.hosts) assert.equal((await httpGet(h.address, 8000, '/graph')).status, 200, h.name)
  } finally {
    const state = readState(bed.stateFile)
    const downStarted = Date.now()
    await teardown(stateDir)
    console.log(`# scale: ${COUNT} hosts booted in ${bootSeconds.toFixed(1)} s, torn down in ${((Date.now() - downStarted) / 1000).toFixed(1)} s`)
    const netns = (await run(['ip', 'netns', 'list'])).stdout
    const mounts = readFileSync('/proc/self/mounts', 'utf8')
    for (const h of state.hosts) {
      assert.doesNotMatch(netns, new RegExp(`^${h.name}\\b`, 'm'), `netns ${h.name} left`)
      assert.equal(mounts.includes(h.dir), false, `mount under ${h.dir} left`)
      assert.equal(isAlive(h.launcher!.pid, h.launcher!.startTime), false, `nspawn ${h.launcher!.pid} of ${h.name} left`)
      for (const dir of h.cgroupDirs) assert.equal(existsSync(dir), false, `cgroup ${dir} left`)
      assert.equal((await run(['ip', 'link', 'show', h.veth])).exitCode, 1, `veth ${h.veth} left`)
    }
    assert.equal(existsSync(stateDir), false)
  }
})
