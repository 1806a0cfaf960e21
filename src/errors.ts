/** A problem in user input, pinned to the source: what every config error looks like. */
export interface Diagnostic {
  readonly file: string
  /** 1-based; 0 when the problem is not tied to a position (e.g. a missing file). */
  readonly line: number
  readonly column: number
  readonly message: string
  readonly hint?: string
  /** The offending source line, shown with a caret under `column`. */
  readonly sourceLine?: string
}

/** Invalid playbook, inventory or variables: carries every diagnostic found, not just the first. */
export class ConfigError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n\n'))
    this.name = 'ConfigError'
  }
}

/** A probe could not read the host's state (command missing, unparsable output). */
export class ProbeError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message)
    this.name = 'ProbeError'
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file
  const lines = [`${where}: ${d.message}`]
  if (d.sourceLine !== undefined && d.line > 0) {
    const gutter = `${String(d.line).padStart(4)} | `
    const { text, caret } = around(d.sourceLine, Math.max(0, d.column - 1))
    lines.push(gutter + text, ' '.repeat(gutter.length + caret) + '^')
  }
  if (d.hint) lines.push(`hint: ${d.hint}`)
  return lines.join('\n')
}

const SHOWN_COLUMNS = 160

/** A long source line (a 10 MB one-line file) cut to the columns around the caret, `…` where cut. */
function around(line: string, column: number): { text: string; caret: number } {
  if (line.length <= SHOWN_COLUMNS) return { text: line, caret: column }
  const start = Math.max(0, Math.min(column - SHOWN_COLUMNS / 2, line.length - SHOWN_COLUMNS))
  const head = start > 0 ? '…' : ''
  const tail = start + SHOWN_COLUMNS < line.length ? '…' : ''
  return { text: head + line.slice(start, start + SHOWN_COLUMNS) + tail, caret: column - start + head.length }
}
