import type { ErrorObject, ValidateFunction } from 'ajv'
import type { Diagnostic } from '../errors.js'
import { modules } from '../modules/index.js'
import type { SourceRef } from './model.js'
import { coerceToSchema } from './ansible-args.js'
import { compileSchema, schemaDiagnostics } from './schema-check.js'
import { isTemplate } from '../template/playbook.js'
import { parseYaml, type Path, type YamlSource } from './yaml-source.js'

const compiled = new Map<string, ValidateFunction>()

function validatorOf(kind: string, coerce = false): ValidateFunction | undefined {
  const entry = modules[kind]
  if (!entry) return undefined
  const key = coerce ? `${kind}/coerce` : kind
  let validate = compiled.get(key)
  if (!validate) compiled.set(key, (validate = compileSchema(entry.module.schema, { coerce })))
  return validate
}

/** `command: [ls, -l]` → `{argv: [ls, -l]}`: a scalar or list stands for the module's shorthand property. */
export function expandShorthand(kind: string, args: unknown): { args: unknown; expanded: boolean } {
  const shorthand = modules[kind]?.shorthand
  const scalarOrList = args === null || typeof args !== 'object' || Array.isArray(args)
  return shorthand && scalarOrList && args !== null ? { args: { [shorthand]: args }, expanded: true } : { args, expanded: false }
}

function valueAt(value: unknown, path: Path): unknown {
  let current = value
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string, unknown>)[String(segment)]
  }
  return current
}

/** Whether any value on the way to `path` is a template: its type is only known after rendering. */
function templatedAt(value: unknown, path: Path): boolean {
  for (let i = 0; i <= path.length; i++) if (isTemplate(valueAt(value, path.slice(0, i)))) return true
  return false
}

/**
 * Args converted to the types the module's schema asks for, as Ansible converts module arguments
 * (`enabled: "yes"`, `port=80`): a new value. `asWritten` (at load time): `{{ templates }}` stay
 * (they are converted once rendered), and a number where text is asked for is left for the
 * schema to report (Ansible converts it with a warning; quoting says what was meant). A
 * command's argv is never split at commas: its words are the program's.
 */
export function coerceModuleArgs(kind: string, args: unknown, asWritten = false): unknown {
  const schema = modules[kind]?.module.schema
  if (schema === undefined) return args
  return coerceToSchema(args, schema, { ...(asWritten ? { keep: isTemplate } : { numbersToText: true }), noSplit: ['argv'] })
}

/**
 * Module args against the module's schema, at load time: errors where a `{{ template }}` sits
 * are skipped (checked again after rendering). `base` is the YAML path of the module's value.
 */
export function moduleArgDiagnostics(kind: string, rawArgs: unknown, source: YamlSource, base: Path): Diagnostic[] {
  const validate = validatorOf(kind)
  if (!validate) return []
  const expansion = expandShorthand(kind, rawArgs)
  const { expanded } = expansion
  const args = coerceModuleArgs(kind, expansion.args, true)
  const skip = (path: Path, error: ErrorObject) =>
    templatedAt(args, path) ||
    (error.propertyName !== undefined && isTemplate(error.propertyName)) ||
    (error.keyword === 'additionalProperties' && templatedAt(args, [...path, String(error.params.additionalProperty)]))
  const shorthand = modules[kind]?.shorthand
  // Errors are found in the expanded value; point them at the YAML as written (no shorthand key there).
  const toYaml = (path: Path): Path => [...base, ...(expanded && path[0] === shorthand ? path.slice(1) : path)]
  return schemaDiagnostics(validate, args ?? {}, source, toYaml, skip)
}

/**
 * After rendering, per host: the rendered args against the module's schema. Scalars are coerced
 * IN PLACE to the types the schema asks for (see compileSchema), so pass the object the module gets.
 */
export function checkModuleArgs(kind: string, args: unknown, where: SourceRef): readonly Diagnostic[] {
  const validate = validatorOf(kind, true)
  if (!validate) return [{ ...where, message: `unknown module \`${kind}\`` }]
  if (validate(args)) return []
  const text = JSON.stringify(args, null, 2)
  const parsed = parseYaml(where.file, text)
  return schemaDiagnostics(validate, args, parsed.source).map((d) => ({
    ...where,
    message: `${kind}: ${d.message} (after rendering)`,
    ...(d.hint ? { hint: d.hint } : {}),
  }))
}
