/**
 * The two words every layer shares: a variables object, and where an authored node came from.
 * They live at the bottom of the folder graph so templates, modules and the playbook loader can
 * all name them without importing each other.
 */

export type Vars = Readonly<Record<string, unknown>>

/** Where a node came from, for diagnostics at run time (e.g. a template that fails on one host). */
export interface SourceRef {
  readonly file: string
  readonly line: number
  readonly column: number
}
