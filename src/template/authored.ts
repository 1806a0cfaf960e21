import type { SourceRef } from '../source.js'

/**
 * A declared variable (inventory, play, block or task `vars`) as its author wrote it, not yet
 * rendered. It is rendered from this text when a template reads it, in the reading task's
 * variables, and what comes out is data: it is never rendered again, whatever it contains. Only
 * the engine creates these, from playbook and inventory text; nothing read from a host ever is one.
 */
export class Authored {
  constructor(
    readonly source: unknown,
    readonly where: SourceRef,
  ) {}
}
