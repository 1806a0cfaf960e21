import { ProbeError } from '../errors.js'
import type { Module, ModuleContext } from './types.js'

/**
 * Ansible's `systemd: {daemon_reload: true}` with no unit: systemd has read the unit files as
 * they are on disk. tend reloads only when a loaded unit says its file changed since
 * (NeedDaemonReload=yes), so a second run changes nothing; Ansible reloads every time.
 */
const schema = { type: 'object', additionalProperties: false, properties: {} } as const

/** Units whose files changed on disk since systemd read them. */
type Stale = readonly string[]

interface ReloadChange {
  readonly action: 'daemon-reload'
  readonly summary: string
}

/** `systemctl show` on every loaded unit: blocks of Id=/NeedDaemonReload= lines. */
export function staleUnits(text: string): Stale {
  return text.split(/\n\s*\n/).flatMap((block) => {
    const id = /^Id=(.*)$/m.exec(block)?.[1]
    return id !== undefined && /^NeedDaemonReload=yes$/m.test(block) ? [id] : []
  })
}

const showArgv = ['systemctl', 'show', '--property=Id,NeedDaemonReload', '--', '*'] as const

async function probe(ctx: ModuleContext): Promise<Stale> {
  const result = await ctx.run(showArgv)
  if (result.exitCode !== 0) throw new ProbeError(`systemctl show failed (exit ${result.exitCode}): ${result.stderr.trim()}`)
  return staleUnits(result.stdout)
}

function diff(_spec: unknown, stale: Stale): ReloadChange[] {
  if (stale.length === 0) return []
  const named = stale.slice(0, 3).join(', ') + (stale.length > 3 ? `, and ${stale.length - 3} more` : '')
  return [{ action: 'daemon-reload', summary: `daemon-reload (unit files changed on disk: ${named})` }]
}

async function apply(ctx: ModuleContext) {
  const result = await ctx.run(['systemctl', 'daemon-reload'])
  return result.exitCode === 0 ? {} : { failed: `daemon-reload: ${result.stderr.trim() || `exit ${result.exitCode}`}` }
}

export const daemonReload: Module<unknown, Stale, ReloadChange> = {
  kind: 'daemon_reload',
  schema,
  description: 'systemd has loaded the unit files on disk: `systemctl daemon-reload` when a loaded unit\'s file changed since (Ansible\'s `systemd: {daemon_reload: true}` without a name).',
  probe,
  probeAhead: () => ({ commands: [[...showArgv]] }),
  diff,
  apply,
  facts: (stale) => ({ stale_units: stale }),
}
