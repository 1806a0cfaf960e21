/** Colour only on a terminal, never when NO_COLOR is set (https://no-color.org) or TERM=dumb. */

export type Paint = (text: string) => string

export interface Palette {
  readonly ok: Paint
  readonly changed: Paint
  readonly failed: Paint
  readonly skipped: Paint
  readonly unreachable: Paint
  readonly rescued: Paint
  readonly ignored: Paint
  readonly added: Paint
  readonly removed: Paint
  readonly dim: Paint
  readonly bold: Paint
}

export function colorEnabled(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.TERM === 'dumb') return false
  return stream.isTTY === true
}

function sgr(open: number, close: number): Paint {
  return (text) => `\u001b[${open}m${text}\u001b[${close}m`
}

const plain: Paint = (text) => text

/** Ansible's colours: ok green, changed yellow, failed/unreachable red, skipped cyan. */
export function palette(enabled: boolean): Palette {
  if (!enabled) {
    return { ok: plain, changed: plain, failed: plain, skipped: plain, unreachable: plain, rescued: plain,
      ignored: plain, added: plain, removed: plain, dim: plain, bold: plain }
  }
  return {
    ok: sgr(32, 39),
    changed: sgr(33, 39),
    failed: sgr(31, 39),
    skipped: sgr(36, 39),
    unreachable: sgr(91, 39),
    rescued: sgr(35, 39),
    ignored: sgr(34, 39),
    added: sgr(32, 39),
    removed: sgr(31, 39),
    dim: sgr(2, 22),
    bold: sgr(1, 22),
  }
}
