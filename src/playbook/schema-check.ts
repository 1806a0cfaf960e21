import { createRequire } from 'node:module'
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv'
import type { Diagnostic } from '../errors.js'
import { generatedValidators } from './generated/validators.js'
import { didYouMean } from './nearest.js'
import { ajvOptions, schemaHash } from './validator-options.js'
import { diagnosticAt, offsetOf, pointerToPath, type Path, type YamlSource } from './yaml-source.js'

/**
 * Each schema's validator, once per process. Schemas tend knows are compiled at build time
 * (generate-validators.ts: ajv's standalone code); loading ajv and compiling a schema costs tens
 * of milliseconds, which tend would pay at every start. Only a schema without a generated
 * validator (one edited since `npm run gen:validators`, or one built at run time) loads ajv,
 * synchronously and on first need. `coerce`: see ajvOptions.
 */
const instances = new Map<boolean, Ajv>()
const compiled = new Map<string, ValidateFunction>()

function compileAtRunTime(schema: object, coerce: boolean): ValidateFunction {
  let ajv = instances.get(coerce)
  if (ajv === undefined) {
    const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof import('ajv')
    instances.set(coerce, (ajv = new AjvClass(ajvOptions(coerce))))
  }
  // Schemas with the same $id (the playbook schema is built per call) must not be added twice.
  return ajv.compile({ ...schema, $id: undefined })
}

export function compileSchema(schema: object, options: { coerce?: boolean } = {}): ValidateFunction {
  const coerce = options.coerce === true
  const json = JSON.stringify(schema)
  const key = `${coerce}:${json}`
  let validate = compiled.get(key)
  if (validate === undefined) {
    validate = generatedValidators(coerce)[schemaHash(json, coerce)] ?? compileAtRunTime(schema, coerce)
    compiled.set(key, validate)
  }
  return validate
}

interface SchemaNode {
  readonly description?: string
  readonly properties?: Readonly<Record<string, SchemaNode>>
  readonly enum?: readonly unknown[]
}

function label(path: Path): string {
  const last = [...path].reverse().find((s) => typeof s === 'string')
  return last === undefined ? 'the document' : `\`${String(last)}\``
}

/** Errors inside an anyOf/oneOf branch are noise once the anyOf itself is reported. */
function withoutBranchErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const alternatives = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`)
  return errors.filter((e) => !alternatives.some((prefix) => e.schemaPath.startsWith(prefix)))
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  const json = JSON.stringify(value)
  if (Array.isArray(value)) return json.length <= 40 ? `the list ${json}` : 'a list'
  if (typeof value === 'object') return json.length <= 40 ? `the mapping ${json}` : 'a mapping'
  return `${typeof value} ${JSON.stringify(value)}`
}

function describe(error: ErrorObject, source: YamlSource, path: Path): Diagnostic {
  const schema = (error.parentSchema ?? {}) as SchemaNode
  const description = schema.description
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty)
      const known = Object.keys(schema.properties ?? {})
      return diagnosticAt(
        source,
        offsetOf(source, [...path, key], true),
        `unknown key \`${key}\``,
        didYouMean(key, known, `allowed keys: ${known.join(', ')}`),
      )
    }
    case 'required': {
      const key = String(params.missingProperty)
      const property = schema.properties?.[key]
      return diagnosticAt(source, offsetOf(source, path), `missing required key \`${key}\``, property?.description)
    }
    case 'enum':
      return diagnosticAt(
        source,
        offsetOf(source, path),
        `${label(path)} must be one of: ${(schema.enum ?? []).map(String).join(', ')} (got ${typeName(error.data)})`,
        description,
      )
    case 'type':
      return diagnosticAt(
        source,
        offsetOf(source, path),
        `${label(path)} must be ${String(params.type).replaceAll(',', ' or ')}, not ${typeName(error.data)}`,
        description,
      )
    case 'anyOf':
    case 'oneOf':
      return diagnosticAt(source, offsetOf(source, path), `${label(path)} has an invalid value: ${typeName(error.data)}`, description)
    case 'propertyNames':
    case 'pattern':
      if (error.propertyName !== undefined) {
        const key = error.propertyName
        return diagnosticAt(source, offsetOf(source, [...path, key], true), `invalid variable name \`${key}\``, 'Variable names are letters, digits and _, not starting with a digit.')
      }
      return diagnosticAt(source, offsetOf(source, path), `${label(path)} ${error.message ?? 'is invalid'}`, description)
    default:
      return diagnosticAt(source, offsetOf(source, path), `${label(path)} ${error.message ?? 'is invalid'} (got ${typeName(error.data)})`, description)
  }
}

/**
 * Every schema problem of `value` as a diagnostic at its YAML node. `base` is where `value`
 * sits in the document (for sub-documents like one module's args); `skip` drops errors at
 * paths the caller will check later (e.g. templated values).
 */
export function schemaDiagnostics(
  validate: ValidateFunction,
  value: unknown,
  source: YamlSource,
  base: Path | ((path: Path) => Path) = [],
  skip: (path: Path, error: ErrorObject) => boolean = () => false,
): Diagnostic[] {
  if (validate(value)) return []
  const errors = withoutBranchErrors(validate.errors ?? [])
  // propertyNames reports twice (the pattern, then propertyNames): keep one.
  const unique = errors.filter((e) => !(e.keyword === 'propertyNames'))
  const out: Diagnostic[] = []
  for (const error of unique) {
    const path = pointerToPath(error.instancePath, value)
    if (skip(path, error)) continue
    out.push(describe(error, source, typeof base === 'function' ? base(path) : [...base, ...path]))
  }
  return out
}
