import { ProbeError } from '../../errors.js'
import type { ModuleContext } from '../types.js'

/**
 * One round trip: the unit's LoadState (a typo'd unit would otherwise pass any `absent` check),
 * then its journal lines since a point in time. `$2` says how `$3` is meant:
 *   epoch: seconds since 1970 (fractional) — run-start, on the controller's clock;
 *   ago: a systemd time span like 10m, relative to the host's clock;
 *   unit-start: the start of the unit's current main process (µs precision where systemctl ≥ 248
 *   knows --timestamp=us+utc), so lines of the instance before a restart are left out.
 */
const JOURNAL_SCRIPT = `
export LC_ALL=C TZ=UTC
unit=$1 mode=$2 arg=$3
echo "@load $(systemctl show -p LoadState --value -- "$unit")"
# A journal this user may not read, or one no daemon writes, shows nothing: that is not "no
# matching line". journalctl -q would hide its own notice, so ask first without it.
systemctl is-active --quiet systemd-journald.service || { echo '@unreadable systemd-journald is not running: lines logged since it stopped are missing'; exit 0; }
notice=$(journalctl -n 0 --no-pager 2>&1 >/dev/null)
case $notice in
  *'not seeing messages from other users'*|*'insufficient permissions'*|*'No journal files'*)
    echo "@unreadable user $(id -un) cannot read the system journal: $(printf '%s' "$notice" | head -n 1)"; exit 0 ;;
esac
case $mode in
  epoch) since="@$arg" ;;
  ago) since="-$arg" ;;
  unit-start)
    since=$(systemctl show --timestamp=us+utc -p ExecMainStartTimestamp --value -- "$unit" 2>/dev/null) ||
      since=$(systemctl show -p ExecMainStartTimestamp --value -- "$unit") ;;
esac
if [ -n "$since" ]; then
  journalctl --unit="$unit" --since="$since" -o short-iso --no-pager -q
else
  journalctl --unit="$unit" -o short-iso --no-pager -q
fi
`

export type Since =
  | { readonly kind: 'epoch'; readonly epochMs: number }
  | { readonly kind: 'ago'; readonly span: string }
  | { readonly kind: 'unit-start' }

export interface JournalLines {
  readonly loadState: string
  readonly lines: readonly string[]
}

function sinceArgs(since: Since): readonly [string, string] {
  switch (since.kind) {
    case 'epoch': return ['epoch', (since.epochMs / 1000).toFixed(3)]
    case 'ago': return ['ago', since.span]
    case 'unit-start': return ['unit-start', '']
  }
}

export function journalArgv(unit: string, since: Since): readonly string[] {
  return ['sh', '-c', JOURNAL_SCRIPT, 'tend-journal', unit, ...sinceArgs(since)]
}

export async function readJournal(ctx: Pick<ModuleContext, 'run' | 'signal'>, unit: string, since: Since): Promise<JournalLines> {
  const result = await ctx.run(journalArgv(unit, since))
  const [first = '', ...lines] = result.stdout.split('\n')
  if (result.exitCode !== 0 || !first.startsWith('@load ')) {
    throw new ProbeError(`cannot read the journal of ${JSON.stringify(unit)}: ${result.stderr.trim() || `exit ${result.exitCode}`}`)
  }
  const unreadable = lines[0]?.startsWith('@unreadable ') === true ? lines[0].slice('@unreadable '.length) : undefined
  if (unreadable !== undefined) {
    throw new ProbeError(`cannot read the journal of ${JSON.stringify(unit)}: ${unreadable}`,
      'run the task as root (become) or as a member of the systemd-journal group, and keep systemd-journald running; tend does not take an unreadable journal for a clean one')
  }
  return { loadState: first.slice('@load '.length), lines: lines.filter((line) => line !== '') }
}

/** The message of a short-iso line (`2024-01-02T10:00:00+0000 host ident[pid]: message`); continuation lines whole. */
export function messageOf(line: string): string {
  const match = /^\d{4}-\d\d-\d\dT\S+ \S+ [^:]*: (.*)$/s.exec(line)
  return match === null ? line : (match[1] ?? '')
}
