import type { FromSchema } from 'json-schema-to-ts'
import type { Module, ModuleContext } from './types.js'
import { applyFileChange } from './content/file-apply.js'
import type { DesiredFile, FileChange } from './content/file-changes.js'
import { fileChanges } from './content/file-changes.js'
import type { FileObserved } from './content/file-state.js'
import { probeFile, probeFileArgv } from './content/file-state.js'
import { modeText } from './content/mode.js'

/** Attributes shared with template (same words, same docs). */
export const fileAttributes = {
  mode: {
    description: 'Permissions: octal as Ansible reads it ("0644", or 0644, which YAML reads as the number 420), or symbolic, applied to the current mode as chmod does ("u=rw,g=r,o=r", "u+x", "a-w").',
    anyOf: [
      { type: 'string', pattern: '^(0o)?[0-7]{1,4}$|^[ugoa]+([-+=]([rwxXst]*|[ugo]))+(,[ugoa]+([-+=]([rwxXst]*|[ugo]))+)*$' },
      { type: 'integer', minimum: 0, maximum: 4095 },
    ],
  },
  owner: { type: 'string', minLength: 1, description: 'User name or numeric uid that owns the file.' },
  group: { type: 'string', minLength: 1, description: 'Group name or numeric gid of the file.' },
} as const

export const filePath = {
  type: 'string',
  pattern: '^/(.*[^/])?$',
  description: 'Absolute path of a regular file on the host (no trailing slash).',
} as const

const fileSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: filePath,
    content: {
      type: 'string',
      description: 'The exact text the file holds. Omitted: content is not managed (a missing file is created empty).',
    },
    ...fileAttributes,
    state: {
      enum: ['present', 'absent'],
      default: 'present',
      description: 'present: the file exists with this content and attributes; absent: it does not exist.',
    },
  },
} as const

// Defaults stay optional: the module applies them itself, whether or not the validator filled them in.
export type FileSpec = FromSchema<typeof fileSchema, { keepDefaultedPropertiesOptional: true }>

const withContent = (desired: Pick<DesiredFile, 'state' | 'content'>): boolean => desired.state === 'present' && desired.content !== undefined

/** The pieces template reuses: probe, diff and apply of one desired file. */
export const probeDesiredFile = (ctx: ModuleContext, desired: DesiredFile): Promise<FileObserved> =>
  probeFile(ctx, desired.path, withContent(desired))
export { fileChanges, applyFileChange, modeText }
export type { DesiredFile, FileChange, FileObserved }

function desiredOf(spec: FileSpec): DesiredFile {
  const { mode, ...rest } = spec
  return { ...rest, ...(mode !== undefined ? { mode: modeText(mode) } : {}), state: spec.state ?? 'present' }
}

function factsOf(observed: FileObserved): Readonly<Record<string, unknown>> {
  if (!observed.exists) return { exists: false }
  const { mode, owner, group, uid, gid, content } = observed
  return { exists: true, mode, owner, group, uid: Number(uid), gid: Number(gid), size: content?.length }
}

export const file: Module<FileSpec, FileObserved, FileChange> = {
  kind: 'file',
  schema: fileSchema,
  description: 'A regular file with the given content, mode and owner, or no file at all (state: absent). Writes are atomic.',
  probe: (ctx, spec) => probeDesiredFile(ctx, desiredOf(spec)),
  probeAhead: (_ctx, spec) => ({ commands: [probeFileArgv(spec.path, withContent(desiredOf(spec)))] }),
  diff: (spec, observed) => fileChanges(desiredOf(spec), observed),
  apply: (ctx, change) => applyFileChange(ctx, change),
  facts: factsOf,
}
