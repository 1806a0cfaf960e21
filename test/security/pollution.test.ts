/**
 * In one process, the way tend renders: after every payload (authored, and as data), no built-in
 * prototype or global has gained, lost or changed a property. A polluted Object.prototype is how
 * `{"__proto__": …}` merges become code execution (a `shell` option picked up by child_process).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Authored } from '../../src/template/authored.js'
import { renderValue } from '../../src/template/playbook.js'
import { assertUntouched, payloads, trap } from './payloads.js'

const where = { file: 'site.yaml', line: 3, column: 5 }
const t = trap()
const corpus = payloads(t)

const BUILTINS: Readonly<Record<string, object>> = {
  Object: Object.prototype, Array: Array.prototype, String: String.prototype, Number: Number.prototype,
  Boolean: Boolean.prototype, Function: Function.prototype, RegExp: RegExp.prototype, Map: Map.prototype,
  Error: Error.prototype, Promise: Promise.prototype, globalThis,
}

/** Each built-in's own properties, with the identity of their values and accessors. */
function snapshot(): Map<string, unknown> {
  const seen = new Map<string, unknown>()
  for (const [name, target] of Object.entries(BUILTINS)) {
    for (const key of Reflect.ownKeys(target)) {
      const d = Object.getOwnPropertyDescriptor(target, key)!
      if ('value' in d) seen.set(`${name}.${String(key)}`, d.value)
      else seen.set(`${name}.${String(key)} get`, d.get).set(`${name}.${String(key)} set`, d.set)
    }
  }
  return seen
}

/** What differs; of globalThis only which names exist (Node turns some lazy getters into values on first use). */
function changes(before: Map<string, unknown>, after: Map<string, unknown>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()])
  return [...keys].filter((k) => before.has(k) !== after.has(k) || (!k.startsWith('globalThis.') && before.get(k) !== after.get(k)))
}

test('no payload, authored or as data, changes a built-in prototype or global', () => {
  const scope = () => ({ inventory_hostname: 'alpha', groups: { all: ['alpha'] }, group_names: [], hostvars: { alpha: {} } })
  const before = snapshot()
  for (const payload of corpus) {
    try {
      renderValue(payload, scope(), where)
    } catch {
      // Refused or failed: what matters here is what it left behind.
    }
    const data = { ...scope(), out: { stdout: payload }, shown: new Authored('{{ out.stdout }}', where) }
    assert.equal(renderValue('{{ shown }}', data, where), payload)
    const changed = changes(before, snapshot())
    assert.deepEqual(changed, [], `${JSON.stringify(payload.slice(0, 300))} changed ${changed.join(', ')}`)
  }
  assert.equal(({} as Record<string, unknown>).shell, undefined)
  assertUntouched(t)
})
