import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openSsh, type SshTarget } from '../../src/transport/ssh.js'
import type { Transport } from '../../src/transport/types.js'
import { startSshd, type Sshd } from './support/sshd.js'
import { isolateFromUserSsh, trustingTarget } from './support/target.js'

describe('ssh transport: bursts of instant commands', () => {
  let sshd: Sshd
  let target: SshTarget

  before(async () => {
    sshd = await startSshd({ extraConfig: 'MaxStartups 100\nMaxSessions 20' })
    isolateFromUserSsh(sshd.dir)
    target = await trustingTarget(sshd)
  })
  after(() => sshd?.stop())

  // Under load, a channel's confirmation, exit status and close can arrive in one read; the exit
  // status must still be seen. (It once was lost at 50+ connections in the benchmark; on loopback
  // this burst does not reproduce that reliably, so it guards the behaviour rather than the race.)
  it('every exit status arrives, across many connections and channels at once', async () => {
    const connections: Transport[] = await Promise.all(Array.from({ length: 6 }, () => openSsh(target)))
    try {
      const running = connections.flatMap((ssh) => Array.from({ length: 15 }, (_, i) => ssh.exec(['sh', '-c', `exit ${i % 3}`])))
      // Hold the event loop while the host answers, so its packets pile up and are parsed together.
      for (let round = 0; round < 10; round++) {
        const busyUntil = Date.now() + 150
        while (Date.now() < busyUntil) { /* the host's replies queue up in the socket meanwhile */ }
        await new Promise((resolve) => setImmediate(resolve))
      }
      const results = await Promise.all(running)
      assert.deepEqual(results.map((r) => r.exitCode), Array.from({ length: 6 }, () => Array.from({ length: 15 }, (_, i) => i % 3)).flat())
    } finally {
      await Promise.all(connections.map((ssh) => ssh.close()))
    }
  })
})
