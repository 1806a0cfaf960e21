// Regenerates schema/*.schema.json from the code (test/playbook/schema-files.test.ts fails when they drift).
// Run: npx tsx schema/generate.ts
import { writeFile } from 'node:fs/promises'
import { inventorySchema, playbookSchema } from '../src/playbook/schema.js'

const here = new URL('.', import.meta.url)
await writeFile(new URL('playbook.schema.json', here), JSON.stringify(playbookSchema(), null, 2) + '\n')
await writeFile(new URL('inventory.schema.json', here), JSON.stringify(inventorySchema(), null, 2) + '\n')
