/** The template engine alone: every escape attempt is refused or renders harmless data. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError } from '../../src/errors.js'
import { Authored } from '../../src/template/authored.js'
import { renderValue, variableOf } from '../../src/template/playbook.js'
import { ownMember } from '../../src/template/values.js'

import { assertUntouched, payloads, readsControllerFiles, TEMPLATE_ERROR, trap } from './payloads.js'

const dataMember = (obj: unknown, key: unknown): unknown => ownMember(obj, key)?.value

const where = { file: 'site.yaml', line: 3, column: 5 }
const t = trap()
const corpus = payloads(t)
const vars = () => ({ inventory_hostname: 'alpha', groups: { all: ['alpha'] }, group_names: [], hostvars: { alpha: { p: 1 } } })

test('the escape corpus holds at least 40 payloads', () => {
  assert.ok(corpus.length >= 40, `${corpus.length}`)
})

/**
 * Authored text may read controller files through lookup('file'), as in Ansible (the author is
 * trusted; host data never picks the path: test/template/host-data.test.ts). Those payloads are
 * checked for the marker only.
 */
test('authored payloads are refused with a template error or render harmless data', () => {
  const shown: string[] = []
  for (const payload of corpus) {
    try {
      const value = renderValue(payload, vars(), where)
      if (readsControllerFiles(payload)) continue
      assert.ok(['string', 'number', 'boolean'].includes(typeof value) || value === null || Array.isArray(value), `${payload} gave ${typeof value}`)
      shown.push(String(value))
    } catch (error) {
      assert.ok(error instanceof ConfigError, `${payload}: ${String(error)}`)
      const message = error.diagnostics[0]?.message ?? ''
      assert.match(message, TEMPLATE_ERROR, payload)
      assert.doesNotMatch(message, /\n\s+at /, 'no JavaScript stack')
      shown.push(message)
    }
  }
  assertUntouched(t, ...shown)
})

test('a payload that arrives as data renders as exactly its text, at any depth, through derived vars', () => {
  for (const payload of corpus) {
    const scope = {
      ...vars(),
      out: { stdout: payload, lines: [payload], nested: { deep: [{ text: payload }] } },
      banner: new Authored('{{ out.stdout }}', where),
      framed: new Authored('[{{ banner }}]', where),
      listed: new Authored(['{{ out.nested.deep[0].text }}', '{{ out.lines | first }}'], where),
    }
    assert.equal(renderValue('{{ banner }}', scope, where), payload)
    assert.equal(renderValue('{{ framed }}', scope, where), `[${payload}]`)
    assert.deepEqual(renderValue('{{ listed }}', scope, where), [payload, payload])
    assert.equal(renderValue('x {{ out.stdout | upper | lower }} y', scope, where), `x ${payload.toUpperCase().toLowerCase()} y`)
  }
  assertUntouched(t)
})

test('a declared variable is rendered once per task scope, from its authored text', () => {
  const scope = { a: new Authored('{{ b }}!', where), b: new Authored("{{ '{{' }} c }}", where), c: 'never' }
  assert.equal(variableOf(scope, 'b'), '{{ c }}')
  assert.equal(variableOf(scope, 'a'), '{{ c }}!')
  assert.equal(renderValue('{{ a }}', scope, where), '{{ c }}!')
})

test('a variable defined through itself is a template error, not a hang', () => {
  const scope = { a: new Authored('{{ b }}', where), b: new Authored('{{ a }}', where) }
  assert.throws(() => renderValue('{{ a }}', scope, where), (e: unknown) => e instanceof ConfigError && /refers to itself/.test(e.message))
})

test('member lookups reach own data properties only, never a function, getter or prototype', () => {
  const withGetter = Object.defineProperty({}, 'g', { get: () => 'ran', enumerable: true })
  const key = { toString: () => 'a' }
  assert.equal(dataMember({ a: 1 }, 'a'), 1)
  assert.equal(dataMember({ a: 1 }, key), undefined)
  assert.equal(dataMember({ a: () => 1 }, 'a'), undefined)
  assert.equal(dataMember(withGetter, 'g'), undefined)
  assert.equal(dataMember({}, 'constructor'), undefined)
  assert.equal(dataMember([], 'map'), undefined)
  // Python strings have no `length` attribute (`| length` is the way); characters by index only.
  assert.equal(dataMember('abc', 'length'), undefined)
  assert.equal(dataMember('abc', 1), 'b')
  assert.equal(dataMember('abc', 'constructor'), undefined)
  assert.equal(dataMember(new Date(), 'getTime'), undefined)
  assert.equal(dataMember(JSON.parse('{"__proto__": {"x": 1}}'), '__proto__') !== undefined, true) // own data, not the prototype
  assert.equal(({} as Record<string, unknown>).x, undefined)
})

test('tend templates still do what playbooks need: loops, sets, tests, dictsort, range', () => {
  const scope = { env: { B: '2', A: '1' }, xs: [1, 2, 3], flag: null }
  assert.equal(renderValue('{% for k, v in env | dictsort %}{{ k }}={{ v }};{% endfor %}', scope, where), 'A=1;B=2;')
  assert.equal(renderValue('{% set n = xs | length %}{{ n * 2 }}', scope, where), '6')
  assert.equal(renderValue('{% for i in range(3) %}{{ loop.index }}{% endfor %}', scope, where), '123')
  assert.equal(renderValue('{{ flag is none }}', scope, where), true)
  assert.equal(renderValue("{{ 'A' in env }}", scope, where), true)
  assert.equal(renderValue("{{ 'constructor' in env }}", scope, where), false)
})
