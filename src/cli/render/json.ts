/** `--json`: every engine event as one JSON object per line on stdout, and nothing else there. */
import type { RenderOptions, Renderer } from './types.js'

export function jsonRenderer(options: Pick<RenderOptions, 'out'>): Renderer {
  return {
    emit: (event) => {
      options.out.write(JSON.stringify(event) + '\n')
    },
    interrupting: (signalName) => process.stderr.write(`tend: ${signalName}: finishing the change in hand, starting nothing new\n`),
    finish: async () => {},
  }
}
