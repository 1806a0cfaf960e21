// Writes src/playbook/generated/validators.js (npm run gen:validators; scripts/build runs it too).
// Unchanged text is not rewritten: the file's mtime is what bin/tend.js compares the build against.
import { readFileSync, writeFileSync } from 'node:fs'
import { GENERATED_VALIDATORS, generateValidators } from '../src/playbook/generate-validators.js'

const text = generateValidators()
let current = ''
try {
  current = readFileSync(GENERATED_VALIDATORS, 'utf8')
} catch {
  // not generated yet
}
if (text !== current) writeFileSync(GENERATED_VALIDATORS, text)
