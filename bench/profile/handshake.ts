/**
 * `tsx bench/profile/handshake.ts [--reps N] [--out FILE]`: ssh2's handshake (connect → ready, as
 * tend makes it) against OpenSSH's `ssh` on the same freshly booted test host, per algorithm both
 * sides allow, varying one of key exchange, host key, cipher and client key at a time from the
 * baseline. The two clients alternate. Writes the table to stdout and the numbers as JSON.
 * Needs root (it boots one host of its own, 10.77.0.238, torn down at the end and on Ctrl-C).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { bootHosts } from '../../src/testbed/boot.js'
import { teardown } from '../../src/testbed/teardown.js'
import { sshSh } from '../../src/testbed/ssh.js'
import { checkHostKey, knownHostsName, parseKnownHosts } from '../../src/transport/known-hosts.js'
import { GNU_TIME } from '../measure.js'
import { ROOT } from '../peers.js'

interface Algorithms { readonly kex: string; readonly hostKey: string; readonly cipher: string; readonly clientKey: string }
const BASE: Algorithms = { kex: 'curve25519-sha256', hostKey: 'ssh-ed25519', cipher: 'aes128-gcm@openssh.com', clientKey: 'ed25519' }
/** One factor at a time; every one of these is allowed by both OpenSSH 9.2's and ssh2's defaults. */
const VARIANTS: readonly Partial<Algorithms>[] = [
  {}, { kex: 'ecdh-sha2-nistp256' }, { kex: 'diffie-hellman-group14-sha256' },
  { hostKey: 'ecdsa-sha2-nistp256' }, { hostKey: 'rsa-sha2-256' },
  { cipher: 'chacha20-poly1305@openssh.com' }, { cipher: 'aes128-ctr' },
  { clientKey: 'ecdsa' }, { clientKey: 'rsa' },
]

interface Sample { readonly readyMs: number; readonly cpuMs: number; readonly totalMs: number }
interface Target { readonly address: string; readonly port: number; readonly knownHosts: string; readonly keys: Readonly<Record<string, string>> }

function ssh2Handshake(t: Target, a: Algorithms): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const entries = parseKnownHosts(t.knownHosts, 'known_hosts')
    const client = new ssh2.Client()
    const started = performance.now()
    const cpu = process.cpuUsage()
    let readyMs = 0
    let cpuMs = 0
    client.on('error', reject)
    client.once('ready', () => {
      readyMs = performance.now() - started
      const used = process.cpuUsage(cpu)
      cpuMs = (used.user + used.system) / 1000
      client.exec('true', (error, stream) => {
        if (error) return reject(error)
        stream.resume()
        stream.once('close', () => {
          resolve({ readyMs, cpuMs, totalMs: performance.now() - started })
          client.end()
        })
      })
    })
    client.connect({
      host: t.address, port: t.port, username: 'root', privateKey: t.keys[a.clientKey],
      algorithms: { kex: [a.kex], serverHostKey: [a.hostKey], cipher: [a.cipher] } as ssh2.Algorithms,
      hostVerifier: (key: Buffer) => checkHostKey(entries, knownHostsName(t.address, t.port), key).kind === 'known',
    })
  })
}

/** `ssh -v … true` under GNU time: "Connecting to" → "Authenticated to" from its debug lines, wall, CPU. */
async function opensshHandshake(t: Target, a: Algorithms, dir: string): Promise<Sample> {
  const timeFile = join(dir, 'time')
  const args = ['-v', '-F', '/dev/null', '-i', join(dir, `id_${a.clientKey}`), '-p', String(t.port), '-o', 'IdentitiesOnly=yes',
    '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
    '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'ControlMaster=no', '-o', `KexAlgorithms=${a.kex}`,
    '-o', `HostKeyAlgorithms=${a.hostKey}`, '-o', `Ciphers=${a.cipher}`, `root@${t.address}`, 'true']
  const started = performance.now()
  let connecting: number | undefined
  let authenticated: number | undefined
  let text = ''
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(GNU_TIME, ['-f', '%U %S', '-o', timeFile, 'ssh', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    child.stderr.on('data', (d: Buffer) => {
      text += d.toString()
      const now = performance.now()
      if (connecting === undefined && text.includes('Connecting to ')) connecting = now
      if (authenticated === undefined && text.includes('Authenticated to ')) authenticated = now
    })
    child.once('error', reject)
    child.once('close', resolve)
  })
  const totalMs = performance.now() - started
  const [user, sys] = (await readFile(timeFile, 'utf8')).trim().split('\n').at(-1)!.split(' ').map(Number)
  if (code !== 0 || connecting === undefined || authenticated === undefined) throw new Error(`ssh ${JSON.stringify(a)} failed (exit ${code}): ${text.slice(-600)}`)
  return { readyMs: authenticated - connecting, cpuMs: (user! + sys!) * 1000, totalMs }
}

const median = (xs: readonly number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN

/** An RSA host key (the test hosts have ed25519 and ecdsa only) and the client keys of every type. */
async function prepare(host: { address: string; port: number; keyFile: string; knownHostsFile: string }, dir: string): Promise<Target> {
  const keygen = (type: string, bits: string[]) => new Promise<void>((resolve, reject) => {
    spawn('ssh-keygen', ['-q', '-t', type, ...bits, '-N', '', '-f', join(dir, `id_${type}`)], { stdio: 'ignore' })
      .once('close', (c) => (c === 0 ? resolve() : reject(new Error(`ssh-keygen ${type}: exit ${c}`))))
  })
  await Promise.all([keygen('ecdsa', ['-b', '256']), keygen('rsa', ['-b', '3072'])])
  await writeFile(join(dir, 'id_ed25519'), await readFile(host.keyFile), { mode: 0o600 })
  const pubs = (await Promise.all(['ecdsa', 'rsa'].map((k) => readFile(join(dir, `id_${k}.pub`), 'utf8')))).join('')
  const result = await sshSh(host, `set -e
[ -f /etc/ssh/ssh_host_rsa_key ] || ssh-keygen -q -t rsa -b 3072 -N '' -f /etc/ssh/ssh_host_rsa_key
echo 'HostKey /etc/ssh/ssh_host_rsa_key' > /etc/ssh/sshd_config.d/zz-handshake.conf
printf '%s' '${pubs.trim()}\n' >> /root/.ssh/authorized_keys
systemctl reload ssh
cat /etc/ssh/ssh_host_ed25519_key.pub /etc/ssh/ssh_host_ecdsa_key.pub /etc/ssh/ssh_host_rsa_key.pub`)
  if (result.exitCode !== 0) throw new Error(`preparing the host: ${result.stderr}`)
  const knownHosts = result.stdout.trim().split('\n').map((line) => `${host.address} ${line.split(' ').slice(0, 2).join(' ')}`).join('\n') + '\n'
  await writeFile(join(dir, 'known_hosts'), knownHosts)
  const keys = Object.fromEntries(await Promise.all(['ed25519', 'ecdsa', 'rsa'].map(async (k) => [k, await readFile(join(dir, `id_${k}`), 'utf8')] as const)))
  return { address: host.address, port: host.port, knownHosts, keys }
}

async function main(argv: readonly string[]): Promise<void> {
  const reps = Number(argv[argv.indexOf('--reps') + 1] ?? 15) || 15
  const out = argv.includes('--out') ? argv[argv.indexOf('--out') + 1]! : join(ROOT, 'bench', 'results', 'handshake.json')
  const dir = await mkdtemp(join(tmpdir(), 'tend-handshake-'))
  const bed = await bootHosts({ count: 1, prefix: 'tend-handshake', firstIndex: 228, owner: 'process' })
  const stop = () => { void teardown(bed.stateDir).finally(() => process.exit(130)) }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    const host = { ...bed.hosts[0]!, keyFile: bed.keyFile, knownHostsFile: bed.knownHostsFile }
    const target = await prepare(host, dir)
    const combos = VARIANTS.map((v) => ({ ...BASE, ...v }))
    const samples = combos.map(() => ({ ssh2: [] as Sample[], openssh: [] as Sample[] }))
    // sshd re-execs on reload: wait until it answers; this also compiles ssh2's code once, as a long-lived tend has.
    for (let attempt = 1; ; attempt++) {
      try {
        await ssh2Handshake(target, BASE)
        break
      } catch (error) {
        if (attempt >= 50) throw error
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    for (let r = 0; r < reps; r++) {
      for (const [i, a] of combos.entries()) {
        samples[i]!.ssh2.push(await ssh2Handshake(target, a))
        samples[i]!.openssh.push(await opensshHandshake(target, a, dir))
      }
    }
    const rows = combos.map((a, i) => {
      const s = samples[i]!
      const m = (xs: Sample[], k: keyof Sample) => median(xs.map((x) => x[k]))
      return {
        ...a, ssh2ReadyMs: m(s.ssh2, 'readyMs'), ssh2CpuMs: m(s.ssh2, 'cpuMs'), ssh2TrueMs: m(s.ssh2, 'totalMs'),
        opensshAuthMs: m(s.openssh, 'readyMs'), opensshCpuMs: m(s.openssh, 'cpuMs'), opensshTrueMs: m(s.openssh, 'totalMs'),
      }
    })
    const f = (n: number) => n.toFixed(1).padStart(6)
    console.log(`medians of ${reps} (ms); ssh2 in a warm node process, OpenSSH as a new \`ssh\` process (-v timestamps)`)
    console.log('kex                            host key             cipher                         client | ssh2 ready  cpu  +true | ssh auth   cpu  `ssh true` wall')
    for (const r of rows) {
      console.log(`${r.kex.padEnd(30)} ${r.hostKey.padEnd(20)} ${r.cipher.padEnd(30)} ${r.clientKey.padEnd(7)}| ${f(r.ssh2ReadyMs)} ${f(r.ssh2CpuMs)} ${f(r.ssh2TrueMs)} | ${f(r.opensshAuthMs)} ${f(r.opensshCpuMs)} ${f(r.opensshTrueMs)}`)
    }
    await writeFile(out, JSON.stringify({ reps, when: new Date().toISOString(), rows }, null, 2) + '\n')
    console.log(`results in ${out}`)
  } finally {
    await teardown(bed.stateDir)
    await rm(dir, { recursive: true, force: true })
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error))
  process.exitCode = 1
})
