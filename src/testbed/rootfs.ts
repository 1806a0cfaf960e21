import { chmodSync, chownSync, copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { must } from './exec.js'
import {
  APP_PATH, BASELINE_RELEASE, MASKED_UNITS, RELEASE_PATH, UNIT_PATH, UNIT_WANTS_LINK, USERS, appSource, sshdDropIn, sudoersText, unitText,
} from './host-files.js'

export interface UpperInput {
  readonly upper: string
  readonly name: string
  readonly port: number
  readonly clientPublicKey: string
  readonly tendpwHash: string
}

function put(upper: string, path: string, content: string, mode = 0o644, uid = 0): void {
  const file = join(upper, path)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, content, { mode })
  chmodSync(file, mode)
  if (uid !== 0) chownSync(file, uid, uid)
}

/** Makes DIR (and its parents inside the upper layer) owned by uid with mode, like a home dir. */
function ownedDir(upper: string, path: string, uid: number, mode: number): void {
  const dir = join(upper, path)
  mkdirSync(dir, { recursive: true, mode })
  chmodSync(dir, mode)
  chownSync(dir, uid, uid)
}

function link(upper: string, path: string, target: string): void {
  const file = join(upper, path)
  mkdirSync(dirname(file), { recursive: true })
  symlinkSync(target, file)
}

function accounts(upper: string, tendpwHash: string): void {
  const passwd = readFileSync('/etc/passwd', 'utf8')
  const group = readFileSync('/etc/group', 'utf8')
  const shadow = readFileSync('/etc/shadow', 'utf8')
  const gshadow = readFileSync('/etc/gshadow', 'utf8')
  const lines = (f: (u: (typeof USERS)[number]) => string): string => USERS.map(f).join('')
  put(upper, '/etc/passwd', passwd + lines((u) => `${u.name}:x:${u.uid}:${u.uid}:tend test user:/home/${u.name}:/bin/bash\n`))
  put(upper, '/etc/group', group + lines((u) => `${u.name}:x:${u.uid}:\n`))
  // `*` (no password, not locked) lets sshd accept the key for tend; tendpw gets a real hash for sudo.
  put(upper, '/etc/shadow', shadow + lines((u) => `${u.name}:${u.name === 'tendpw' ? tendpwHash : '*'}:19000:0:99999:7:::\n`), 0o640)
  put(upper, '/etc/gshadow', gshadow + lines((u) => `${u.name}:!::\n`), 0o640)
  chownSync(join(upper, '/etc/shadow'), 0, 42)
  chownSync(join(upper, '/etc/gshadow'), 0, 42)
  put(upper, '/etc/sudoers.d/tend-testbed', sudoersText, 0o440)
}

function home(upper: string, path: string, uid: number, clientPublicKey: string): void {
  ownedDir(upper, path, uid, 0o700)
  ownedDir(upper, `${path}/.ssh`, uid, 0o700)
  put(upper, `${path}/.ssh/authorized_keys`, clientPublicKey, 0o600, uid)
  for (const dotfile of ['.bashrc', '.profile']) {
    // Debian's stock files: the machine's own .bashrc runs `pyenv init` (+0.6 s per ssh command).
    copyFileSync(`/etc/skel/${dotfile}`, join(upper, path, dotfile))
    if (uid !== 0) chownSync(join(upper, path, dotfile), uid, uid)
  }
}

/** Fills a host's upper layer. Must run before the overlay is mounted (files written later vanish). */
export async function fillUpper(input: UpperInput): Promise<void> {
  const { upper, name } = input
  put(upper, '/etc/machine-id', randomBytes(16).toString('hex') + '\n', 0o444)
  put(upper, '/etc/hostname', name + '\n')
  put(upper, '/etc/hosts', `127.0.0.1 localhost\n127.0.1.1 ${name}\n::1 localhost ip6-localhost ip6-loopback\n`)
  home(upper, '/root', 0, input.clientPublicKey)
  for (const user of USERS) home(upper, `/home/${user.name}`, user.uid, input.clientPublicKey)
  accounts(upper, input.tendpwHash)
  put(upper, '/etc/ssh/sshd_config.d/tend-testbed.conf', sshdDropIn(input.port))
  await Promise.all(['ed25519', 'ecdsa'].map((type) => must(['ssh-keygen', '-q', '-t', type, '-N', '',
    '-C', `root@${name}`, '-f', join(upper, `/etc/ssh/ssh_host_${type}_key`)])))
  for (const unit of MASKED_UNITS) link(upper, `/etc/systemd/system/${unit}`, '/dev/null')
  put(upper, APP_PATH, appSource(), 0o755)
  put(upper, RELEASE_PATH, `${BASELINE_RELEASE}\n`)
  put(upper, UNIT_PATH, unitText())
  link(upper, UNIT_WANTS_LINK, UNIT_PATH)
}
