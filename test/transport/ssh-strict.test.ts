/**
 * SSH as strict as OpenSSH, through the real CLI against a test host: a private key readable by
 * others is refused with the fix; a declared `tend_host_key_policy: strict` is never weakened by
 * ssh_config or the flag; Match blocks are honoured, or reported with file:line when tend cannot
 * evaluate them.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { chmod, copyFile, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { loadSshConfig, resolveSshConfig } from '../../src/transport/ssh-config.js'
import { cleanEnv, project, tend } from '../cli/support.js'
import { leaseHost } from '../support/testbed.js'
import { taskEndsOf } from '../faults/support.js'

const host = await leaseHost()
const dir = await project({ 'ping.yaml': '- hosts: all\n  tasks:\n    - name: ping\n      command: ["true"]\n' })
const key = join(dir, 'id_test')
await copyFile(host.keyFile, key)

interface Setup {
  readonly knownHosts?: string
  readonly declaredPolicy?: string
  readonly sshConfig?: string
  readonly keyFile?: string
  readonly port?: boolean
}

/** tend run ping.yaml on the host with this inventory and ssh_config; its task-end. */
async function ping(setup: Setup, ...args: string[]) {
  const lines = [`all:\n  hosts:\n    target:\n      ansible_host: ${host.address}\n      ansible_user: root`,
    `      ansible_ssh_private_key_file: ${setup.keyFile ?? key}`,
    `      tend_known_hosts_file: ${setup.knownHosts ?? host.knownHostsFile}`]
  if (setup.port !== false) lines.push(`      ansible_port: ${host.port}`)
  if (setup.declaredPolicy !== undefined) lines.push(`      tend_host_key_policy: ${setup.declaredPolicy}`)
  await writeFile(join(dir, 'inventory.yaml'), `${lines.join('\n')}\n`)
  const config = join(dir, 'ssh_config')
  await writeFile(config, setup.sshConfig ?? '')
  const run = await tend(['run', 'ping.yaml', '-i', 'inventory.yaml', '--json', ...args], dir, cleanEnv({ TEND_SSH_CONFIG: config, SSH_AUTH_SOCK: '' }))
  const [end] = taskEndsOf(run.stdout)
  assert.ok(end !== undefined, run.stdout + run.stderr)
  return { run, end, config }
}

test('a private key readable by group or others is refused with the fix, reported unreachable (auth)', async () => {
  await chmod(key, 0o644)
  const refused = await ping({})
  assert.equal(refused.run.code, 4)
  assert.equal(refused.end.status, 'unreachable')
  assert.match(refused.end.message ?? '', new RegExp(`^auth: private key ${key} \\(mode 0644\\) is readable by group or others`))
  assert.match(refused.end.message ?? '', new RegExp(`\nhint: chmod 600 ${key}$`))
  assert.equal((await stat(key)).mode & 0o777, 0o644, 'tend does not change the file itself')
  await chmod(key, 0o600)
  assert.equal((await ping({})).run.code, 0, 'the fix the hint gives works')
})

test('a declared tend_host_key_policy: strict is never weakened by StrictHostKeyChecking no or the flag', async () => {
  const knownHosts = join(dir, 'known_hosts_empty')
  await writeFile(knownHosts, '')
  const sshConfig = 'Host *\n  StrictHostKeyChecking no\n'
  for (const args of [[], ['--accept-new-host-keys']]) {
    const { run, end } = await ping({ knownHosts, declaredPolicy: 'strict', sshConfig }, ...args)
    assert.equal(run.code, 4, args.join(' '))
    assert.match(end.message ?? '', /^host-key: .* is not in /)
    assert.equal(await readFile(knownHosts, 'utf8'), '', 'no key was recorded')
  }
  // Without a declared policy, ssh_config decides (as OpenSSH would): the key is recorded.
  const undeclared = await ping({ knownHosts, sshConfig })
  assert.equal(undeclared.run.code, 0, undeclared.run.stdout)
  assert.match(await readFile(knownHosts, 'utf8'), new RegExp(`^${host.address.replaceAll('.', '\\.')} ssh-ed25519 `))
})

test('Match blocks tend can evaluate are honoured (host, originalhost, user, negation)', async () => {
  const applies = await ping({ port: false, sshConfig: `Match originalhost ${host.address} user root\n  Port 1\n` })
  assert.equal(applies.run.code, 4)
  assert.match(applies.end.message ?? '', /^refused: cannot connect to root@[\d.]+:1:/)
  const skipped = await ping({ port: false, sshConfig: `Match !host ${host.address}\n  Port 1\nMatch all\n  Port ${host.port}\n` })
  assert.equal(skipped.run.code, 0, skipped.run.stdout)
})

test('a Match block tend cannot evaluate is reported with file:line, never silently skipped', async () => {
  const { run, end, config } = await ping({ sshConfig: `Host other\n  User nobody\nMatch exec "test -e /etc/corp"\n  ProxyJump corp-bastion\n` })
  assert.equal(run.code, 2)
  assert.equal(end.status, 'failed')
  const message = end.message ?? ''
  assert.ok(message.startsWith(`${config}:3:1: \`Match exec test -e /etc/corp\`: criterion \`exec\` is not supported`), message)
  assert.match(message, /hint: tend evaluates Match all, host, originalhost, user and localuser/)
})

test('Match host/user resolve as ssh -G does', async () => {
  const config = join(dir, 'parity_config')
  await writeFile(config, 'Match host *.example.net !user deploy\n  Port 2201\nMatch originalhost web*\n  HostName %h.example.net\n  User ops\nMatch all\n  Port 2299\n')
  const blocks = loadSshConfig(config)
  for (const [name, user] of [['web1', undefined], ['web1', 'deploy'], ['db', 'root'], ['x.example.net', 'ops']] as const) {
    const { stdout } = await promisify(execFile)('ssh', ['-G', '-F', config, ...(user ? ['-l', user] : []), name])
    const theirs = new Map(stdout.split('\n').map((line) => [line.split(' ')[0], line.slice(line.indexOf(' ') + 1)]))
    const ours = resolveSshConfig(blocks, name, user)
    assert.equal(String(ours.port ?? 22), theirs.get('port'), `${name} ${user}: port`)
    assert.equal(ours.hostName ?? name, theirs.get('hostname'), `${name} ${user}: hostname`)
  }
})
