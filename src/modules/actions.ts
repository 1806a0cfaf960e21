/**
 * Ansible's controller-side actions: debug, set_fact, assert, fail. They touch no host, so they
 * have no probe worth the name; the engine runs them through engine/actions.ts. They are modules
 * here for their schemas (validation, docs, `tend schema`).
 */
import type { AnyModule } from './types.js'

function action(kind: string, description: string, schema: object): AnyModule {
  return { kind, description, schema, probe: async () => undefined, diff: () => [] }
}

const message = { description: 'Text (a template) shown or used as the message.' }

export const debug = action('debug', 'Shows a message (`msg`) or a variable\'s value (`var`, an expression) in the output; changes nothing.', {
  type: 'object',
  additionalProperties: false,
  properties: {
    msg: message,
    var: { type: 'string', description: 'An expression without braces whose value is shown (`result.stdout`).' },
    verbosity: { type: 'integer', minimum: 0, description: 'Accepted for Ansible compatibility; tend always shows the message.' },
  },
})

export const setFact = action('set_fact', 'Sets variables on the host for the rest of the run (above play vars, below -e). Values are rendered once and kept as data.', {
  type: 'object',
  minProperties: 1,
  propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
  properties: { cacheable: { description: 'Accepted for Ansible compatibility; tend keeps no fact cache.' } },
  additionalProperties: true,
})

export const assertModule = action('assert', 'Fails unless every expression of `that` holds.', {
  type: 'object',
  additionalProperties: false,
  required: ['that'],
  properties: {
    that: {
      description: 'Expression(s) without braces, like `when:`; all must hold.',
      anyOf: [{ type: ['string', 'boolean'] }, { type: 'array', items: { type: ['string', 'boolean'] } }],
    },
    fail_msg: message,
    msg: message,
    success_msg: message,
    quiet: { type: 'boolean', description: 'Accepted for Ansible compatibility.' },
  },
})

export const fail = action('fail', 'Fails the host with a message.', {
  type: 'object',
  additionalProperties: false,
  properties: { msg: message },
})

export const pause = action('pause', 'Waits `seconds` (or `minutes`) on the controller, then goes on; Ctrl-C cuts it short. A `prompt` is refused: tend never reads the terminal during a run.', {
  type: 'object',
  additionalProperties: false,
  properties: {
    seconds: { type: 'number', minimum: 0, description: 'How long to wait, in seconds.' },
    minutes: { type: 'number', minimum: 0, description: 'How long to wait, in minutes.' },
    prompt: { type: 'string', description: 'Refused: pass the value with -e, or wait with seconds.' },
    echo: { type: 'boolean', description: 'Accepted for Ansible compatibility (no prompt is read).' },
  },
})

/** `meta:` actions tend has; reset_connection is refused at validation (the connection holds the host lock). */
export const META_ACTIONS = ['flush_handlers', 'noop', 'end_host', 'end_play', 'clear_host_errors', 'refresh_inventory'] as const
export type MetaAction = (typeof META_ACTIONS)[number]

export const meta = action('meta', 'Ansible\'s meta tasks: flush_handlers runs the handlers notified so far; end_host ends the play for this host, end_play for every host reaching it; noop, clear_host_errors and refresh_inventory change nothing in tend.', {
  type: 'object',
  additionalProperties: false,
  required: ['free_form'],
  properties: { free_form: { enum: META_ACTIONS, description: 'The meta action (`meta: flush_handlers`). Not in tend: reset_connection (the connection holds the host lock for the whole run), end_batch, clear_facts.' } },
})

export const CONTROLLER_ACTIONS: ReadonlySet<string> = new Set(['debug', 'set_fact', 'assert', 'fail'])
