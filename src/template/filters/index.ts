/**
 * Every filter a template may use, by its Jinja 3.1 / Ansible 2.14 name (the evaluator strips an
 * `ansible.builtin.` prefix). One explicit table, assembled from the focused files; no filter
 * registers itself by side effect.
 */
import { define, type CallableTable } from '../callable.js'
import { TemplateError } from '../errors.js'
import { str, truthy, Undefined } from '../values.js'
import { dataFilters } from './data.js'
import { dictFilters } from './dicts.js'
import { encodeFilters } from './encode.js'
import { listFilters } from './lists.js'
import { netFilters } from './net.js'
import { numberFilters } from './numbers.js'
import { pathFilters } from './paths.js'
import { regexFilters } from './regexes.js'
import { setFilters } from './sets.js'
import { stringFilters } from './strings.js'
import { timeFilters } from './time.js'

/** Jinja's default: replaces an undefined value (and any falsy one when `boolean`). */
const defaultFilter = define(['value', 'default_value', 'boolean'], (_c, value, fallback = '', boolean = false) =>
  value instanceof Undefined || (truthy(boolean) && !truthy(value)) ? fallback : value, { acceptsUndefined: true })

const coreFilters: CallableTable = {
  default: defaultFilter,
  d: defaultFilter,
  mandatory: define(['a', 'msg'], (_c, a, msg = null) => {
    if (!(a instanceof Undefined)) return a
    if (msg !== null && !(msg instanceof Undefined)) throw new TemplateError(str(msg))
    // Ansible's own wording, its double space included.
    throw new TemplateError(`Mandatory variable '${a.name}'  not defined.`, { undefinedName: a.name })
  }, { acceptsUndefined: true }),
  // Ansible's ternary; unused branches may be undefined, as Jinja passes them unevaluated-safe.
  ternary: define(['value', 'true_val', 'false_val', 'none_val'], (_c, value, t, f, none = null) => {
    if (value instanceof Undefined) throw new TemplateError(value.message(), { undefinedName: value.name })
    if (value === null && none !== null) return none
    return truthy(value) ? t : f
  }, { acceptsUndefined: true }),
}

export const filters: CallableTable = {
  ...coreFilters,
  ...stringFilters,
  ...regexFilters,
  ...numberFilters,
  ...listFilters,
  ...setFilters,
  ...dictFilters,
  ...dataFilters,
  ...encodeFilters,
  ...pathFilters,
  ...netFilters,
  ...timeFilters,
}
