import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { FromSchema } from 'json-schema-to-ts'
import { ConfigError } from '../errors.js'
import { renderValue } from '../playbook/template.js'
import type { Vars } from '../playbook/model.js'
import type { Module, ModuleContext } from './types.js'
import type { DesiredFile, FileChange, FileObserved } from './file.js'
import { applyFileChange, fileAttributes, fileChanges, file, filePath, probeDesiredFile } from './file.js'
import { probeFileArgv } from './content/file-state.js'

const templateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['src', 'dest'],
  properties: {
    src: { type: 'string', minLength: 1, description: 'Jinja template on the controller, relative to the playbook\'s directory.' },
    dest: { ...filePath, description: 'Absolute path of the rendered file on the host.' },
    ...fileAttributes,
  },
} as const

export type TemplateSpec = FromSchema<typeof templateSchema>

/** What the file module is asked to converge to, plus what the host has now. */
export interface TemplateObserved {
  readonly desired: DesiredFile
  readonly file: FileObserved
}

/** A template that is one `{{ expr }}` would come back as a native value; the file wants text. */
const SINGLE_EXPRESSION = /^(\s*)(\{\{(?:(?!\}\}|\{\{)[\s\S])*\}\})(\s*)$/

function asText(value: unknown): string {
  if (typeof value === 'string') return value
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
}

/** Renders with the playbook language's own renderer; the whitespace around a lone expression is kept. */
function renderText(text: string, vars: Vars, srcPath: string): string {
  const where = { file: srcPath, line: 0, column: 0 }
  const single = SINGLE_EXPRESSION.exec(text)
  if (single === null) return asText(renderValue(text, vars, where))
  const [, lead = '', expression = '', trail = ''] = single
  return lead + asText(renderValue(expression, vars, where)) + trail
}

async function readSource(srcPath: string): Promise<string> {
  try {
    return await readFile(srcPath, 'utf8')
  } catch (error) {
    const reason = (error as { code?: string }).code === 'ENOENT' ? 'template source not found' : `cannot read template source: ${String(error)}`
    throw new ConfigError([{ file: srcPath, line: 0, column: 0, message: reason, hint: 'src is relative to the playbook\'s directory' }])
  }
}

/** Reads and renders src on the controller, then probes dest on the host like the file module does. */
async function probe(ctx: ModuleContext, spec: TemplateSpec): Promise<TemplateObserved> {
  const srcPath = resolve(ctx.playbookDir, spec.src)
  const content = renderText(await readSource(srcPath), ctx.vars, srcPath)
  const desired: DesiredFile = { path: spec.dest, state: 'present', content, mode: spec.mode, owner: spec.owner, group: spec.group }
  return { desired, file: await probeDesiredFile(ctx, desired) }
}

export const template: Module<TemplateSpec, TemplateObserved, FileChange> = {
  kind: 'template',
  schema: templateSchema,
  description: 'A file on the host rendered from a Jinja template on the controller with the host\'s variables; then like `file`.',
  probe,
  // The source is rendered on the controller at the task's turn; only dest is read ahead.
  probeAhead: (_ctx, spec) => ({ commands: [probeFileArgv(spec.dest, true)] }),
  diff: (_spec, observed) => fileChanges(observed.desired, observed.file),
  apply: (ctx, change) => applyFileChange(ctx, change),
  facts: (observed) => file.facts?.(observed.file) ?? {},
}
