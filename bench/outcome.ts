import type { PeerName } from './peers.js'

/**
 * How many hosts a run changed, read from what each peer prints: tend's `recap` event, ansible's
 * PLAY RECAP, the floor's `HOST: changed …` lines. A recovery run that changed nothing means the
 * staging did not take, and the numbers would be of the wrong thing.
 */
export function hostsChanged(peer: PeerName, stdout: string): number {
  if (peer === 'tend') return tendHostsChanged(stdout)
  if (peer === 'ansible') return [...stdout.matchAll(/^\S+\s+: ok=\d+\s+changed=(\d+)/gm)].filter((m) => Number(m[1]) > 0).length
  return new Set([...stdout.matchAll(/^(\S+): changed/gm)].map((m) => m[1])).size
}

function tendHostsChanged(stdout: string): number {
  for (const line of stdout.split('\n').reverse()) {
    if (!line.includes('"recap"')) continue
    try {
      const event = JSON.parse(line) as { type?: string; hosts?: Record<string, { changed?: number }> }
      if (event.type !== 'recap' || event.hosts === undefined) continue
      return Object.values(event.hosts).filter((c) => (c.changed ?? 0) > 0).length
    } catch {
      continue
    }
  }
  return 0
}

/**
 * Round trips per host as tend counts them (the `roundTrips` of each `host-end` event): the
 * median over the run's hosts, or undefined when tend printed none (another peer, a failed run).
 */
export function tendRoundTripsPerHost(stdout: string): number | undefined {
  const counts: number[] = []
  for (const line of stdout.split('\n')) {
    if (!line.includes('"host-end"')) continue
    try {
      const e = JSON.parse(line) as { type?: string; roundTrips?: number; recheck?: boolean }
      if (e.type === 'host-end' && typeof e.roundTrips === 'number' && e.recheck !== true) counts.push(e.roundTrips)
    } catch {
      continue
    }
  }
  if (counts.length === 0) return undefined
  counts.sort((a, b) => a - b)
  return counts[Math.floor(counts.length / 2)]
}

/** tend's exit code is 0 only when no host failed; this adds the reason to a failure message. */
export function tendFailures(stdout: string): string[] {
  const out: string[] = []
  for (const line of stdout.split('\n')) {
    if (!line.includes('"task-end"')) continue
    try {
      const e = JSON.parse(line) as { status?: string; host?: string; task?: string; message?: string }
      if (e.status === 'failed' || e.status === 'unreachable') out.push(`${e.host}: ${e.task}: ${e.status}: ${e.message ?? ''}`)
    } catch {
      continue
    }
  }
  return out
}
