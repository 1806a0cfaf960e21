import { execFile } from 'node:child_process'
import { dirname, resolve as absolute } from 'node:path'
import type { Diagnostic } from '../errors.js'
import { addChild, addHost, groupOf, type Draft } from './inventory-draft.js'
import { unsafeName } from './names.js'

/**
 * A dynamic inventory: an executable that prints Ansible's JSON for `--list` (groups with hosts,
 * vars and children, and `_meta.hostvars`). Without `_meta` it is asked `--host NAME` per host,
 * as Ansible's script plugin does. It runs on the controller, in its own directory.
 */

type Mapping = Record<string, unknown>
const isMapping = (v: unknown): v is Mapping => v !== null && typeof v === 'object' && !Array.isArray(v)
const TIMEOUT_MS = 60_000

function runScript(file: string, args: readonly string[]): Promise<{ stdout: string; error?: string }> {
  return new Promise((resolve) => {
    // Absolute: `-i inv.sh` names the file here, not a program on PATH.
    execFile(absolute(file), [...args], { cwd: dirname(file), timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve({ stdout })
      const code = (error as { code?: unknown }).code
      resolve({ stdout, error: `\`${file} ${args.join(' ')}\` failed (${typeof code === 'number' ? `exit ${code}` : String(code ?? error.message)}): ${stderr.trim() || error.message}` })
    })
  })
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    return { __error: (error as Error).message }
  }
}

export async function readScriptInventory(draft: Draft, file: string): Promise<Diagnostic[]> {
  const where = { file, line: 0, column: 0 }
  const hint = 'A dynamic inventory prints Ansible\'s JSON for `--list`: {"group": {"hosts": [...], "vars": {...}, "children": [...]}, "_meta": {"hostvars": {...}}}.'
  const listed = await runScript(file, ['--list'])
  if (listed.error) return [{ ...where, message: `inventory script: ${listed.error}`, hint }]
  const data = parseJson(listed.stdout)
  if (!isMapping(data) || '__error' in data) {
    return [{ ...where, message: `inventory script printed no JSON mapping for --list${isMapping(data) ? `: ${String(data.__error)}` : ''}`, hint }]
  }
  for (const [group, body] of Object.entries(data)) {
    if (group === '_meta') continue
    // The old form: a group is just a list of host names.
    const def = Array.isArray(body) ? { hosts: body } : isMapping(body) ? body : {}
    groupOf(draft, group, where)
    if (isMapping(def.vars)) Object.assign(groupOf(draft, group).vars, def.vars)
    for (const host of Array.isArray(def.hosts) ? def.hosts : []) addHost(draft, group, String(host), {}, where)
    for (const child of Array.isArray(def.children) ? def.children : []) addChild(draft, group, String(child), where)
  }
  const meta = isMapping(data._meta) ? data._meta : undefined
  const diagnostics: Diagnostic[] = []
  for (const [host, entry] of draft.hosts) {
    if (entry.source.file !== file) continue
    let vars: unknown = meta && isMapping(meta.hostvars) ? meta.hostvars[host] : undefined
    // A name that cannot be a file name is refused by the inventory; it is not passed on either.
    if (!meta && unsafeName(host) === undefined) {
      const asked = await runScript(file, ['--host', host])
      if (asked.error) diagnostics.push({ ...where, message: `inventory script: ${asked.error}` })
      vars = parseJson(asked.stdout || '{}')
    }
    if (isMapping(vars) && !('__error' in vars)) Object.assign(entry.vars, vars)
  }
  return diagnostics
}
