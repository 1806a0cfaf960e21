import type { Diagnostic } from '../errors.js'
import { addChild, addHost, groupOf, type Draft } from './inventory-draft.js'
import { expandHostRange, splitHostPort } from './host-ranges.js'
import type { SourceRef } from './model.js'
import { withSourceLine } from './yaml-source.js'

/**
 * Ansible's INI inventory (its ini plugin): hosts before any section are ungrouped; `[g]` lists
 * hosts (`name key=value …`, ranges, `name:port`), `[g:vars]` holds `key=value` lines and
 * `[g:children]` names child groups. Values are read as Ansible does: numbers, True/False,
 * lists and dicts become typed, everything else stays a string.
 */

interface Token {
  readonly text: string
  readonly column: number
}

/** POSIX shlex with `#` comments, as Ansible splits host lines; columns are 1-based. */
export function shlexSplit(line: string): Token[] | { error: string; column: number } {
  const tokens: Token[] = []
  let i = 0
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++
    if (i >= line.length || line[i] === '#') break
    const start = i
    let text = ''
    while (i < line.length && !/\s/.test(line[i]!)) {
      const c = line[i]!
      if (c === "'" || c === '"') {
        const close = line.indexOf(c, i + 1)
        if (close < 0) return { error: `unclosed quote ${c}`, column: i + 1 }
        text += line.slice(i + 1, close).replace(c === '"' ? /\\(["\\$`])/g : /$^/g, '$1')
        i = close + 1
      } else if (c === '\\' && i + 1 < line.length) {
        text += line[i + 1]
        i += 2
      } else {
        text += c
        i++
      }
    }
    tokens.push({ text, column: start + 1 })
  }
  return tokens
}

/** Ansible's _parse_value: Python literals become typed values, anything else is a string. */
export function iniValue(text: string): unknown {
  if (/^[-+]?\d+$/.test(text)) return Number(text)
  if (/^[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return Number(text)
  if (text === 'True') return true
  if (text === 'False') return false
  if (text === 'None') return null
  if (/^(\[.*\]|\{.*\})$/s.test(text)) {
    try {
      return JSON.parse(text.replaceAll("'", '"').replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false').replace(/\bNone\b/g, 'null'))
    } catch {
      return text
    }
  }
  return text
}

type Section = { readonly group: string; readonly kind: 'hosts' | 'vars' | 'children'; readonly where: SourceRef }

export function readIniInventory(draft: Draft, file: string, text: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = []
  const lines = text.split(/\r?\n/)
  const at = (line: number, column: number, message: string, hint?: string) =>
    diagnostics.push(withSourceLine({ file, line, column, message, ...(hint ? { hint } : {}), sourceLine: lines[line - 1] ?? '' }))
  let section: Section = { group: 'ungrouped', kind: 'hosts', where: { file, line: 0, column: 0 } }
  const declared = new Set<string>(['all', 'ungrouped'])
  const varSections: Section[] = []
  for (const [index, raw] of lines.entries()) {
    const number = index + 1
    const line = raw.trim()
    const indent = raw.length - raw.trimStart().length
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const header = /^\[([^\]]+)\]\s*(?:[#;].*)?$/.exec(line)
    if (header) {
      const [group, kind = 'hosts', ...rest] = header[1]!.split(':')
      const where = { file, line: number, column: indent + 2 }
      if (rest.length > 0 || !['hosts', 'vars', 'children'].includes(kind)) {
        at(number, indent + 2, `section [${header[1]}] has unknown type \`${kind}\``, 'A section is `[group]`, `[group:vars]` or `[group:children]`.')
        section = { group: '', kind: 'hosts', where }
        continue
      }
      section = { group: group!.trim(), kind: kind as Section['kind'], where }
      if (section.kind === 'vars') varSections.push(section)
      else {
        declared.add(section.group)
        groupOf(draft, section.group, where)
      }
      continue
    }
    if (section.group === '') continue
    if (section.kind === 'vars') {
      const eq = line.indexOf('=')
      if (eq < 0) {
        at(number, indent + 1, `expected key=value in [${section.group}:vars], got \`${line}\``, 'Group variables are written `name=value`, one per line.')
        continue
      }
      groupOf(draft, section.group).vars[line.slice(0, eq).trim()] = iniValue(line.slice(eq + 1).trim().replace(/^(["'])(.*)\1$/, '$2'))
      continue
    }
    const tokens = shlexSplit(raw)
    if ('error' in tokens) {
      at(number, tokens.column, tokens.error)
      continue
    }
    const [first, ...rest] = tokens
    if (!first) continue
    const where = { file, line: number, column: first.column }
    if (section.kind === 'children') {
      addChild(draft, section.group, first.text, where)
      declared.add(first.text)
      continue
    }
    const vars: Record<string, unknown> = {}
    let bad = false
    for (const t of rest) {
      const eq = t.text.indexOf('=')
      if (eq <= 0) {
        at(number, t.column, `expected key=value host variable, got \`${t.text}\``, 'Host lines are `name key=value key=value`; quote values with spaces.')
        bad = true
      } else vars[t.text.slice(0, eq)] = iniValue(t.text.slice(eq + 1))
    }
    if (bad) continue
    const { name: pattern, port } = splitHostPort(first.text)
    const names = expandHostRange(pattern)
    if ('error' in names) {
      at(number, first.column, names.error, 'Ranges look like `web[01:20]` (inclusive, leading zeros kept) or `db-[a:c]`.')
      continue
    }
    for (const host of names) addHost(draft, section.group, host, { ...vars, ...(port !== undefined ? { ansible_port: port } : {}) }, where)
  }
  for (const s of varSections) {
    if (!declared.has(s.group)) at(s.where.line, s.where.column, `[${s.group}:vars] is for a group defined nowhere`, `Define [${s.group}] or list it under some [group:children]; Ansible refuses this too.`)
  }
  return diagnostics
}

/**
 * Whether a text is an INI inventory rather than YAML: its first meaningful line is a section
 * header or a host line (no `key:` mapping, no `---`).
 */
export function looksLikeIni(text: string): boolean {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    if (line.startsWith('---') || line.startsWith('{')) return false
    if (line.startsWith('[')) return /^\[[^\]]+\]\s*([#;].*)?$/.test(line)
    return !/^[^\s#]+:(\s|$)/.test(line)
  }
  return false
}
