/**
 * Ansible's boolean keywords (ignore_errors, no_log, become, …) as it reads them: a boolean, a
 * word it takes for one (`"yes"`, `"off"`), or a `{{ template }}` typed once rendered, at the
 * task's turn. Anything else is a load-time diagnostic at the keyword.
 */
import type { Diagnostic } from '../errors.js'
import { ansibleBool } from './ansible-args.js'
import { isTemplate } from '../template/playbook.js'
import { diagnosticAt, offsetOf, type Path, type YamlSource } from './yaml-source.js'

/** A boolean, or the template that gives one per host. */
export type Flag = boolean | string

export function flagOf(source: YamlSource, diagnostics: Diagnostic[], raw: Readonly<Record<string, unknown>>, key: string, path: Path): Flag | undefined {
  const value = raw[key]
  if (value === undefined || value === null) return undefined
  if (isTemplate(value)) return value
  const bool = ansibleBool(value)
  if (bool !== undefined) return bool
  diagnostics.push(diagnosticAt(source, offsetOf(source, [...path, key]), `\`${key}\` must be boolean, not ${typeof value} ${JSON.stringify(value)}`,
    'true/false, yes/no, on/off, 1/0 (as Ansible reads them), or a template giving one ("{{ flag }}").'))
  return undefined
}
