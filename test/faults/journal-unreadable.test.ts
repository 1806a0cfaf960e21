/**
 * Fault: the journal cannot be read (a become user outside systemd-journal, or journald stopped).
 * journalctl then shows no lines and exits 0; the journal gate must fail saying so, never pass as
 * "no matching line".
 */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { UNIT_NAME } from '../../src/testbed/index.js'
import { project } from '../cli/support.js'
import { leaseHost } from '../support/testbed.js'
import { assertCleanEnd, startRun, taskEndsOf, waitOnHost } from './support.js'

const host = await leaseHost()
after(() => host.sh('systemctl start systemd-journald.socket systemd-journald.service'))
const gate = `      journal: { unit: ${UNIT_NAME}, absent: "Errno 98", since: 10m }\n`
const dir = await project({
  'journal.yaml': `- hosts: all\n  tasks:\n    - name: no bind errors\n${gate}`,
  'journal-as-tend.yaml': `- hosts: all\n  become: true\n  become_user: tend\n  tasks:\n    - name: no bind errors\n${gate}`,
})

test('a become user who cannot read the system journal: the gate fails saying so', async () => {
  // Without tend's check, journalctl -q shows this user no line (and exits 0 once the user has a journal of its own).
  const plain = await host.sh(`cd / && sudo -n -u tend -- journalctl --unit=${UNIT_NAME} -q --no-pager`)
  assert.equal(plain.stdout, '')
  const result = await startRun(host, [], 'journal-as-tend.yaml', dir).done
  assertCleanEnd(result, 2)
  const [end] = taskEndsOf(result.stdout)
  assert.equal(end?.status, 'failed')
  assert.match(end?.message ?? '', /^cannot read the journal of "scidex-api.service": user tend cannot read the system journal/)
  assert.match(end?.message ?? '', /hint: run the task as root \(become\) or as a member of the systemd-journal group/)
})

test('journald stopped: the gate fails saying lines are missing', async () => {
  await host.sh('systemctl stop systemd-journald.socket systemd-journald-dev-log.socket systemd-journald-audit.socket systemd-journald.service 2>/dev/null; true')
  await waitOnHost(host, '! systemctl is-active --quiet systemd-journald.service', 'journald stopped')
  const result = await startRun(host, [], 'journal.yaml', dir).done
  assertCleanEnd(result, 2)
  const [end] = taskEndsOf(result.stdout)
  assert.match(end?.message ?? '', /systemd-journald is not running: lines logged since it stopped are missing/)
  await host.sh('systemctl start systemd-journald.socket systemd-journald.service')
  const again = await startRun(host, [], 'journal.yaml', dir).done
  assertCleanEnd(again, 0)
})
