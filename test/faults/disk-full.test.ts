/**
 * Fault: the disk is full when `file` writes. The task fails with the host's own error, the old
 * file is intact byte for byte, and no temp file is left beside it.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { project } from '../cli/support.js'
import { leaseHost } from '../support/testbed.js'
import { assertCleanEnd, startRun, taskEndsOf } from './support.js'

const host = await leaseHost()
const MOUNT = '/mnt/tend-fault-tiny'
after(() => host.sh(`umount ${MOUNT} 2>/dev/null; rmdir ${MOUNT} 2>/dev/null; true`))

test('a write that does not fit fails, leaves the old file intact and no temp file behind', async () => {
  const staged = await host.sh(`set -e
mkdir -p ${MOUNT}
mount -t tmpfs -o size=64k tmpfs ${MOUNT}
printf 'old content\\n' > ${MOUNT}/data
sha256sum ${MOUNT}/data`)
  assert.equal(staged.exitCode, 0, staged.stderr)
  const dir = await project({
    'write.yaml': `- hosts: all\n  tasks:\n    - name: big file\n      file: { path: ${MOUNT}/data, content: "{{ big }}" }\n`,
  })
  await writeFile(join(dir, 'big.json'), JSON.stringify({ big: 'x'.repeat(256 * 1024) }))
  const result = await startRun(host, ['-e', '@big.json'], 'write.yaml', dir).done
  assertCleanEnd(result, 2)
  const [end] = taskEndsOf(result.stdout)
  assert.equal(end?.status, 'failed')
  assert.match(end?.message ?? '', /No space left on device/)
  // The host, read directly: the old bytes, and nothing else in the directory.
  assert.equal((await host.sh(`sha256sum ${MOUNT}/data`)).stdout, staged.stdout)
  assert.equal((await host.sh(`ls -A ${MOUNT}`)).stdout, 'data\n')
})
