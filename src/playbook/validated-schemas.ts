import { modules } from '../modules/index.js'
import { taskFileSchema } from './includes.js'
import { inventorySchema, playbookSchemaWith } from './schema.js'
import { varsFileSchema } from './vars-files.js'

/** One schema tend validates against, and whether scalars are coerced (see compileSchema). */
export interface ValidatedSchema {
  readonly name: string
  readonly schema: object
  readonly coerce: boolean
}

/**
 * Every schema tend validates at run time, each exactly as its caller builds it: the generator
 * compiles these ahead of time (src/playbook/generated/validators.js). A schema missing here still
 * works (compileSchema compiles it with ajv on first use), but costs ajv's load and compile at start.
 */
export function validatedSchemas(): ValidatedSchema[] {
  return [
    { name: 'playbook', schema: playbookSchemaWith(true), coerce: false },
    { name: 'tasks file', schema: taskFileSchema('tasks'), coerce: false },
    { name: 'handlers file', schema: taskFileSchema('handlers'), coerce: false },
    { name: 'inventory', schema: inventorySchema(), coerce: false },
    { name: 'vars file', schema: varsFileSchema, coerce: false },
    // Module arguments: as written (templates skipped), and rendered per host (coerced).
    ...Object.entries(modules).flatMap(([kind, entry]) => [
      { name: `${kind} arguments`, schema: entry.module.schema, coerce: false },
      { name: `${kind} arguments, rendered`, schema: entry.module.schema, coerce: true },
    ]),
  ]
}
