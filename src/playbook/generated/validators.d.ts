// Types of the generated validators.js (see src/playbook/generate-validators.ts).
import type { ValidateFunction } from 'ajv'

/** The ahead-of-time validators of one coercion mode, keyed by schemaHash(). */
export declare function generatedValidators(coerce: boolean): Readonly<Record<string, ValidateFunction | undefined>>
