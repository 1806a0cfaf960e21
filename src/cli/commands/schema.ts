import { ExitCode } from '../../exit-codes.js'
import { UsageError } from '../report-error.js'

/** `tend schema [playbook|inventory]`: the JSON Schema yaml-language-server reads. */
export async function schemaCommand(kind: string): Promise<number> {
  const { playbookSchema, inventorySchema } = await import('../../playbook/schema.js')
  const schemas: Record<string, () => object> = { playbook: playbookSchema, inventory: inventorySchema }
  const schema = schemas[kind]
  if (schema === undefined) throw new UsageError(`unknown schema "${kind}": expected playbook or inventory`)
  process.stdout.write(JSON.stringify(schema(), null, 2) + '\n')
  return ExitCode.ok
}
