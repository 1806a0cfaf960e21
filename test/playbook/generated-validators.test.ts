/**
 * The JSON Schema validators are compiled at build time (src/playbook/generated/validators.js).
 * These tests keep that file in step with the schemas, and its validators equal to ajv's own.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Ajv } from 'ajv'
import { parse } from 'yaml'
import { GENERATED_VALIDATORS, generateValidators } from '../../src/playbook/generate-validators.js'
import { generatedValidators } from '../../src/playbook/generated/validators.js'
import { ajvOptions, schemaHash } from '../../src/playbook/validator-options.js'
import { validatedSchemas } from '../../src/playbook/validated-schemas.js'
import { brokenCases } from './corpus.js'

const root = fileURLToPath(new URL('../../', import.meta.url))

test('the committed validators are those of the schemas as they are now (else: npm run gen:validators)', () => {
  const committed = readFileSync(join(root, GENERATED_VALIDATORS), 'utf8')
  assert.ok(committed === generateValidators(), `${GENERATED_VALIDATORS} is stale: run \`npm run gen:validators\` and commit it`)
})

test('every schema tend validates against has a validator compiled ahead of time', () => {
  for (const { name, schema, coerce } of validatedSchemas()) {
    assert.equal(typeof generatedValidators(coerce)[schemaHash(JSON.stringify(schema), coerce)], 'function', name)
  }
})

/** What a validator reports for a value, in the fields the diagnostics are built from. */
function outcome(validate: (v: unknown) => boolean, errors: () => unknown, value: unknown) {
  const copy: unknown = structuredClone(value)
  const valid = validate(copy)
  return { valid, errors: JSON.parse(JSON.stringify(errors() ?? null)) as unknown, value: copy }
}

test('the generated validators report (and coerce) exactly as ajv compiling the schema at start', () => {
  const playbooks = brokenCases().flatMap((c) => {
    try {
      return [parse(readFileSync(c.playbook, 'utf8')) as unknown]
    } catch {
      return [] // a case of broken YAML
    }
  })
  const args = (kind: string) =>
    playbooks.flatMap((p) => (Array.isArray(p) ? p : [])).flatMap((play: { tasks?: unknown }) => (Array.isArray(play?.tasks) ? play.tasks : []))
      .map((task: Record<string, unknown>) => task?.[kind]).filter((a) => a !== undefined)
  // Scalars a template renders to, which the coercing validators convert.
  const rendered = [{ port: '8000', owner: 'api.service' }, { url: 'http://x', status: '200', timeout: '5' }, { name: 1, state: true }]
  for (const { name, schema, coerce } of validatedSchemas()) {
    const generated = generatedValidators(coerce)[schemaHash(JSON.stringify(schema), coerce)]
    assert.ok(generated, name)
    const compiled = new Ajv(ajvOptions(coerce)).compile({ ...schema, $id: undefined })
    const kind = name.split(' ')[0] ?? ''
    const values = name === 'playbook' ? playbooks : [...args(kind), ...rendered, null, 'text', []]
    for (const value of values) {
      assert.deepEqual(outcome(generated, () => generated.errors, value), outcome(compiled, () => compiled.errors, value), `${name}: ${JSON.stringify(value)}`)
    }
  }
})
