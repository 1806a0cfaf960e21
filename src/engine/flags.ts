import { ConfigError } from '../errors.js'
import { ansibleBool } from '../playbook/ansible-args.js'
import type { SourceRef, Vars } from '../playbook/model.js'
import { renderValue } from '../template/playbook.js'

/**
 * A boolean keyword written as a template (`ignore_errors: "{{ lenient }}"`), rendered with the
 * task's variables and typed as Ansible types it; a value that is not a boolean is a clear error.
 */
export function renderedFlag(keyword: string, template: string, vars: Vars, where: SourceRef): boolean {
  const value = renderValue(template, vars, where)
  const bool = ansibleBool(value)
  if (bool !== undefined) return bool
  throw new ConfigError([{ ...where, message: `\`${keyword}: ${template}\` rendered to ${JSON.stringify(value)}, which is not a boolean`, hint: 'true/false, yes/no, on/off or 1/0.' }])
}
