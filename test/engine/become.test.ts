import assert from 'node:assert/strict'
import { test } from 'node:test'
import { project, tend } from '../cli/support.js'
import { needsRoot } from '../support/root.js'
import { eventsOf } from '../support/events.js'

needsRoot('sudo -n to user nobody and back to root')

const playbook = (become: string) => `- hosts: all\n${become}  tasks:\n    - name: who\n      command: [id, -un]\n`
const inventory = `all:\n  hosts:\n    box:\n      ansible_connection: local\n      ansible_become: true\n      ansible_become_user: nobody\n`

async function whoRuns(become: string): Promise<string> {
  const dir = await project({ 'site.yaml': playbook(become), 'inventory.yaml': inventory })
  const run = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '--json'], dir)
  assert.equal(run.code, 0, run.stdout + run.stderr)
  const end = eventsOf(run.stdout, 'task-end')[0]
  return String(end?.result?.stdout).trim()
}

test('ansible_become in the inventory escalates tasks through sudo -n', async () => {
  assert.equal(await whoRuns(''), 'nobody')
})

test("the play's become_user wins over the inventory's", async () => {
  assert.equal(await whoRuns('  become: true\n  become_user: root\n'), 'root')
})
