/** --json → NDJSON; a terminal → the live listr2 view; anything else → plain lines. */
import { colorEnabled } from './color.js'
import { jsonRenderer } from './json.js'
import { plainRenderer } from './plain.js'
import type { Renderer } from './types.js'

export async function chooseRenderer(options: { readonly json: boolean; readonly check: boolean; readonly verbosity?: number }): Promise<Renderer> {
  const out = process.stdout
  if (options.json) return jsonRenderer({ out })
  const color = colorEnabled(out)
  const verbosity = options.verbosity ?? 0
  // -v and more print results and commands as they end: plain lines, which a live view would overwrite.
  if (out.isTTY !== true || verbosity >= 1) return plainRenderer({ out, check: options.check, color, verbosity })
  // listr2 and its dependencies load only for a terminal.
  const { listrRenderer } = await import('./listr.js')
  return listrRenderer({ out, check: options.check, color, verbosity })
}
