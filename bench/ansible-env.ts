import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * ansible.cfg as a user tuning for speed writes it: pipelining, ControlPersist, no fact gathering
 * (in the playbook), a fixed interpreter (no discovery round trip), host keys checked. The
 * ControlPath lives in this run's own directory so its `ssh … [mux]` masters can be found and
 * ended by pid afterwards, and nobody else's.
 */
export async function prepareAnsibleDir(dir: string): Promise<void> {
  await mkdir(join(dir, 'cp'), { recursive: true, mode: 0o700 })
  await mkdir(join(dir, 'home'), { recursive: true })
  await mkdir(join(dir, 'tmp'), { recursive: true })
  await writeFile(join(dir, 'ansible.cfg'), `[defaults]
host_key_checking = True
interpreter_python = /usr/bin/python3
retry_files_enabled = False
gathering = explicit
deprecation_warnings = False
nocows = 1

[ssh_connection]
pipelining = True
ssh_args = -o ControlMaster=auto -o ControlPersist=60s
control_path_dir = ${join(dir, 'cp')}
control_path = %(directory)s/%%C
`)
}

const CLOCK_TICKS = 100

/**
 * Ends the ssh ControlPersist masters whose ControlPath is in `dir`, by pid, and returns the CPU
 * seconds they used (GNU time cannot see them: they detach from the tree it waits for).
 */
export async function endMuxMasters(dir: string): Promise<number> {
  const controlDir = join(dir, 'cp') + '/'
  let cpuSeconds = 0
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const pid = Number(entry)
    try {
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ')
      if (!cmdline.startsWith('ssh') || !cmdline.includes(controlDir)) continue
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      cpuSeconds += (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
      process.kill(pid, 'SIGTERM')
    } catch {
      // exited meanwhile
    }
  }
  return cpuSeconds
}
