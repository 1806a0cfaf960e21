import { hostname, userInfo } from 'node:os'
import { dirname, resolve, resolve as resolvePath } from 'node:path'
import type { FromSchema } from 'json-schema-to-ts'
import { ConfigError } from '../errors.js'
import { variableOf } from '../template/playbook.js'
import { ControllerFileError, parseTemplateFile, readControllerText, renderTemplateFile, TemplateError, type Template } from '../template/index.js'
import type { Vars } from '../source.js'
import type { Module, ModuleContext } from './types.js'
import type { DesiredFile, FileChange, FileObserved } from './file.js'
import { applyFileChange, fileAttributes, fileChanges, file, filePath, modeText, probeDesiredFile } from './file.js'
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

/**
 * Renders as Ansible's template module: trim_blocks on, the `#jinja2:` header's overrides, the
 * source's trailing newlines kept, and its extra variables (ansible_managed, template_path…).
 * `{% include %}` reads files beside the template, never above the playbook's directory.
 */
function renderText(text: string, vars: Vars, srcPath: string, dest: string, playbookDir: string): string {
  const extra: Record<string, unknown> = {
    ansible_managed: 'Ansible managed',
    template_path: srcPath,
    template_fullpath: srcPath,
    template_destpath: dest,
    template_host: hostname(),
    template_uid: userInfo().username,
    template_run_date: new Date().toISOString().replace('T', ' ').slice(0, 19),
  }
  const resolve = (name: string): unknown => (Object.hasOwn(vars, name) ? variableOf(vars, name) : extra[name])
  const include = (name: string): { template: Template; key: string } => {
    const file = resolvePath(dirname(srcPath), name)
    if (!file.startsWith(`${playbookDir}/`) && !file.startsWith(`${dirname(srcPath)}/`)) throw new TemplateError(`{% include '${name}' %} is outside the playbook's directory`)
    let text: string
    try {
      text = readControllerText(file)
    } catch (error) {
      throw new TemplateError(`{% include '${name}' %}: cannot read ${error instanceof ControllerFileError ? error.message : `${file}: ${String(error)}`}`)
    }
    return { template: parseTemplateFile(text, { file, line: 0, column: 0 }).template, key: file }
  }
  return renderTemplateFile(text, {}, { file: srcPath }, { resolve, include, includeStack: [srcPath] })
}

async function readSource(srcPath: string): Promise<string> {
  try {
    return readControllerText(srcPath)
  } catch (error) {
    const reason = (error as { code?: string }).code === 'ENOENT' ? 'template source not found' : `cannot read template source: ${error instanceof ControllerFileError ? error.reason : String(error)}`
    throw new ConfigError([{ file: srcPath, line: 0, column: 0, message: reason, hint: 'src is relative to the playbook\'s directory' }])
  }
}

/** Reads and renders src on the controller, then probes dest on the host like the file module does. */
async function probe(ctx: ModuleContext, spec: TemplateSpec): Promise<TemplateObserved> {
  const srcPath = resolve(ctx.playbookDir, spec.src)
  const content = renderText(await readSource(srcPath), ctx.vars, srcPath, spec.dest, ctx.playbookDir)
  const desired: DesiredFile = { path: spec.dest, state: 'present', content, mode: spec.mode === undefined ? undefined : modeText(spec.mode), owner: spec.owner, group: spec.group }
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
