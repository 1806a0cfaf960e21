import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

export type PeerName = 'tend' | 'ansible' | 'floor'

/** What one measured run is asked to do: the same desired state for every peer. */
export interface RunInput {
  /** tend's playbook (the lead's runbook, or its scale variant). */
  readonly tendPlaybook: string
  /** The equivalent Ansible playbook. */
  readonly ansiblePlaybook: string
  readonly inventoryFile: string
  readonly floorTargetsFile: string
  readonly forks: number
  /** -e overrides for tend and ansible; the floor reads stable/grace from here too. */
  readonly extraVars: Readonly<Record<string, string>>
  /** ansible.cfg's directory (bench/ansible-env.ts). */
  readonly ansibleDir: string
  /** tend's CLI entry: the built bundle dist/bundle/main.js, or bin/tend.js (tsx) with --tend-from-source. */
  readonly tendEntry: string
}

export interface PeerCommand {
  readonly argv: readonly string[]
  readonly env: NodeJS.ProcessEnv
}

const extraVarArgs = (vars: Readonly<Record<string, string>>): string[] =>
  Object.entries(vars).flatMap(([k, v]) => ['-e', `${k}=${v}`])

/** tend as a user runs it (a process per run), JSON events on stdout. */
export function tendCommand(input: RunInput): PeerCommand {
  return {
    argv: [process.execPath, input.tendEntry, 'run', input.tendPlaybook, '-i', input.inventoryFile,
      '--json', '--forks', String(input.forks), ...extraVarArgs(input.extraVars),
      // Every run is recorded, as for a user; in the scenario's own dir, not the machine's.
      '--state-dir', join(dirname(input.inventoryFile), 'tend-state')],
    env: { ...process.env, NO_COLOR: '1' },
  }
}

export function ansibleCommand(input: RunInput): PeerCommand {
  return {
    argv: ['ansible-playbook', '-i', input.inventoryFile, '-f', String(input.forks),
      ...extraVarArgs(input.extraVars), input.ansiblePlaybook],
    env: {
      ...process.env,
      ANSIBLE_CONFIG: join(input.ansibleDir, 'ansible.cfg'),
      ANSIBLE_HOME: join(input.ansibleDir, 'home'),
      ANSIBLE_LOCAL_TEMP: join(input.ansibleDir, 'tmp'),
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_FORCE_COLOR: '0',
    },
  }
}

export function floorCommand(input: RunInput): PeerCommand {
  return {
    argv: ['bash', join(ROOT, 'bench', 'floor', 'run.sh'), input.floorTargetsFile, String(input.forks),
      input.extraVars.stable_seconds ?? '20', input.extraVars.grace_seconds ?? '10'],
    env: process.env,
  }
}

export const commandFor = (peer: PeerName, input: RunInput): PeerCommand =>
  peer === 'tend' ? tendCommand(input) : peer === 'ansible' ? ansibleCommand(input) : floorCommand(input)
