/** `--json`: every event as one JSON object per line on stdout, and nothing else there (run, resume and watch alike). */
import type { EventRenderer, RenderOptions, Renderer } from './types.js'

export function jsonLines<E>(out: NodeJS.WritableStream): EventRenderer<E> {
  return {
    emit: (event) => {
      out.write(JSON.stringify(event) + '\n')
    },
    finish: async () => {},
  }
}

export function jsonRenderer(options: Pick<RenderOptions, 'out'>): Renderer {
  return {
    ...jsonLines(options.out),
    interrupting: (signalName) => process.stderr.write(`tend: ${signalName}: finishing the change in hand, starting nothing new\n`),
  }
}
