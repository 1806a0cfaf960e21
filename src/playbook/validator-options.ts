import { createHash } from 'node:crypto'

/**
 * What the generator (generate-validators.ts) and the run-time fallback (schema-check.ts) share,
 * so a validator compiled ahead of time behaves exactly as one compiled at start.
 * `coerce` converts scalars in place where the schema asks for another scalar type ("3" → 3,
 * 8000 → "8000"), as Ansible converts module arguments: `-e port=9000` is a string, and a
 * `{{ template }}` renders to whatever its expression yields.
 */
export function ajvOptions(coerce: boolean) {
  return { allErrors: true, verbose: true, strict: false, coerceTypes: coerce } as const
}

/**
 * The name of a schema's generated validator: a hash of its JSON and the coercion mode. A schema
 * edited after the last `npm run gen:validators` finds no validator under its new hash (and is
 * compiled at run time, correct but slower) instead of a stale one; a test keeps them in step.
 */
export function schemaHash(schemaJson: string, coerce: boolean): string {
  return createHash('sha256').update(`${coerce}:${schemaJson}`).digest('base64url').slice(0, 22)
}
