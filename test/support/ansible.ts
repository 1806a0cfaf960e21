/**
 * The peer: ansible-playbook run as a process (scripts/setup installs ansible-core), with colour,
 * retry files and the localhost warning off; `env` adds what a test needs (pipelining, a callback).
 * Also a fixture directory read into the files `project()` writes.
 */
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { finished, type Finished } from '../cli/support.js'

export function ansiblePlaybook(args: readonly string[], cwd: string, env: Readonly<Record<string, string>> = {}): Promise<Finished> {
  const full: NodeJS.ProcessEnv = { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_LOCALHOST_WARNING: '0', ...env }
  delete full.ANSIBLE_FORCE_COLOR
  const child = spawn('ansible-playbook', args, { cwd, env: full, stdio: ['ignore', 'pipe', 'pipe'] })
  const started = new Promise<never>((_, reject) => child.on('error', (e) => reject(new Error(`ansible-playbook could not start (${e.message}); scripts/setup installs ansible-core`))))
  return Promise.race([finished(child), started])
}

/** Every file under `root`, by its path relative to `root`. */
export function fixtureFiles(root: string, dir = root): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) Object.assign(out, fixtureFiles(root, path))
    else out[relative(root, path)] = readFileSync(path, 'utf8')
  }
  return out
}
