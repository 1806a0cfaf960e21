import { diffLines } from 'diff'
import type { FileObserved } from './file-state.js'
import { normalizeMode } from './file-state.js'
import { isSymbolicMode, targetMode } from './mode.js'

/** What file and template both want on the host; template fills `content` from its rendering. */
export interface DesiredFile {
  readonly path: string
  readonly state: 'present' | 'absent'
  /** Undefined: content not managed (a missing file is created empty). */
  readonly content?: string
  /** Four octal digits, or a symbolic mode (`u=rw,g=r`) applied to the file's current mode. */
  readonly mode?: string
  readonly owner?: string
  readonly group?: string
}

interface ContentDiff {
  readonly path: string
  readonly before: string
  readonly after: string
}

/**
 * A change carries everything apply needs, so apply does not depend on the spec (template reuses
 * it). `write` replaces content and sets the final attributes on the new file before it is renamed
 * into place, so new content is never visible with old, looser permissions.
 */
export type FileChange =
  | {
      readonly action: 'create' | 'write'
      readonly path: string
      readonly content: string
      readonly mode?: string
      readonly owner?: string
      readonly group?: string
      readonly summary: string
      readonly diff: ContentDiff
    }
  | { readonly action: 'chmod'; readonly path: string; readonly mode: string; readonly summary: string }
  | { readonly action: 'chown'; readonly path: string; readonly owner?: string; readonly group?: string; readonly summary: string }
  | { readonly action: 'remove'; readonly path: string; readonly summary: string; readonly diff?: ContentDiff }

type Present = Extract<FileObserved, { exists: true }>

/** Text for --diff; bytes that are not UTF-8 are described, not dumped. */
function shownText(content: Buffer | undefined): string {
  if (content === undefined) return ''
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content)
  } catch {
    return `(binary content, ${content.length} bytes)\n`
  }
}

function lineCounts(before: string, after: string): string {
  let added = 0
  let removed = 0
  for (const part of diffLines(before, after)) {
    if (part.added) added += part.count ?? 0
    if (part.removed) removed += part.count ?? 0
  }
  return `+${added} -${removed} lines`
}

/** The octal mode the spec asks of this file: a symbolic mode is read against its current one. */
const wantedMode = (spec: DesiredFile, observed: Present): string | undefined =>
  spec.mode === undefined ? undefined : normalizeMode(targetMode(spec.mode, observed.mode))

function modeDrift(observed: Present, spec: DesiredFile): string | undefined {
  const wanted = wantedMode(spec, observed)
  if (wanted === undefined || wanted === observed.mode) return undefined
  return `mode ${observed.mode} → ${wanted}`
}

/** Owner/group words that differ; a spec may name a user or a numeric id. */
function ownerDrift(observed: Present, spec: DesiredFile): { owner?: string; group?: string; words: string[] } {
  const owner = spec.owner !== undefined && spec.owner !== observed.owner && spec.owner !== observed.uid ? spec.owner : undefined
  const group = spec.group !== undefined && spec.group !== observed.group && spec.group !== observed.gid ? spec.group : undefined
  const words = [
    ...(owner === undefined ? [] : [`owner ${observed.owner} → ${owner}`]),
    ...(group === undefined ? [] : [`group ${observed.group} → ${group}`]),
  ]
  return { owner, group, words }
}

function createChange(spec: DesiredFile): FileChange {
  const content = spec.content ?? ''
  const owner = [spec.owner, spec.group].filter((x) => x !== undefined).join(':')
  const details = [
    `${Buffer.byteLength(content)} bytes`,
    ...(spec.mode === undefined ? [] : [`mode ${isSymbolicMode(spec.mode) ? spec.mode : normalizeMode(spec.mode)}`]),
    ...(owner === '' ? [] : [`owner ${owner}`]),
  ]
  return {
    action: 'create', path: spec.path, content, mode: spec.mode, owner: spec.owner, group: spec.group,
    summary: `create ${spec.path} (${details.join(', ')})`,
    diff: { path: spec.path, before: '', after: content },
  }
}

function presentChanges(spec: DesiredFile, observed: Present): FileChange[] {
  const mode = modeDrift(observed, spec)
  const owners = ownerDrift(observed, spec)
  const wanted = spec.content === undefined ? undefined : Buffer.from(spec.content, 'utf8')
  if (wanted !== undefined && observed.content !== undefined && !wanted.equals(observed.content)) {
    const before = shownText(observed.content)
    const after = spec.content ?? ''
    const what = [`content (${lineCounts(before, after)})`, ...(mode === undefined ? [] : [mode]), ...owners.words]
    return [{
      action: 'write', path: spec.path, content: after,
      // The replacement keeps what the spec does not manage: the file's current attributes.
      mode: wantedMode(spec, observed) ?? observed.mode, owner: spec.owner ?? observed.uid, group: spec.group ?? observed.gid,
      summary: `update ${spec.path}: ${what.join(', ')}`,
      diff: { path: spec.path, before, after },
    }]
  }
  const changes: FileChange[] = []
  const chmodTo = wantedMode(spec, observed)
  if (mode !== undefined && chmodTo !== undefined) {
    changes.push({ action: 'chmod', path: spec.path, mode: chmodTo, summary: `chmod ${spec.path}: ${mode}` })
  }
  if (owners.words.length > 0) {
    changes.push({ action: 'chown', path: spec.path, owner: owners.owner, group: owners.group,
      summary: `chown ${spec.path}: ${owners.words.join(', ')}` })
  }
  return changes
}

/** Pure: the changes that bring `observed` to `spec`; empty when converged. */
export function fileChanges(spec: DesiredFile, observed: FileObserved): readonly FileChange[] {
  if (spec.state === 'absent') {
    if (!observed.exists) return []
    const diff = observed.content === undefined ? undefined : { path: spec.path, before: shownText(observed.content), after: '' }
    return [{ action: 'remove', path: spec.path, summary: `remove ${spec.path}`, diff }]
  }
  return observed.exists ? presentChanges(spec, observed) : [createChange(spec)]
}
