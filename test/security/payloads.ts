/**
 * Template-escape attempts: published Jinja/nunjucks SSTI payloads and JavaScript-specific ones
 * (constructor/__proto__/prototype in every syntax, keys whose toString/valueOf are functions,
 * globals and filters that would return functions, macros, caller, includes). Each tries to write
 * a marker file on the controller or to read a secret file there.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { existsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Trap {
  /** Must never exist: every code-running payload tries to create it. */
  readonly marker: string
  /** A file on the controller whose token must never appear in any output. */
  readonly secretFile: string
  readonly token: string
}

export function trap(): Trap {
  const id = randomBytes(4).toString('hex')
  const secretFile = join(tmpdir(), `tend-ssti-secret-${id}`)
  const token = `TOKEN${randomBytes(6).toString('hex')}`
  writeFileSync(secretFile, token)
  return { marker: join(tmpdir(), `tend-ssti-${id}`), secretFile, token }
}

/** The payloads, with the trap's paths filled in; at least 40. */
export function payloads(t: Trap): string[] {
  const M = t.marker
  const S = t.secretFile
  const write = `return process.mainModule.require('fs').writeFileSync('${M}','x')`
  const read = `return process.mainModule.require('fs').readFileSync('${S}','utf8')`
  return [
    `{{ range.constructor("${write}")() }}`,
    `{{ cycler.constructor("${write}")() }}`,
    `{{ joiner.constructor("${write}")() }}`,
    `{{ lipsum.constructor("${read}")() }}`,
    `{{ ''.constructor.constructor("${write}")() }}`,
    `{{ inventory_hostname['constructor']['constructor']("${write}")() }}`,
    `{{ inventory_hostname["constructor"].constructor("${read}")() }}`,
    `{{ (inventory_hostname|attr('constructor')|attr('constructor'))("${write}") }}`,
    `{{ range|attr('constructor') }}`,
    `{{ inventory_hostname.__proto__.constructor }}`,
    `{{ group_names.__proto__ }}`,
    `{{ {}.__proto__.constructor.getOwnPropertyNames }}`,
    `{{ [].constructor.prototype.map }}`,
    `{{ groups.constructor.assign }}`,
    `{{ constructor.getOwnPropertyDescriptor(constructor.getPrototypeOf(range), 'constructor') }}`,
    `{{ toString.constructor("${write}")() }}`,
    `{{ valueOf.call }}`,
    `{{ prototype }}`,
    `{{ __proto__ }}`,
    `{% set k = {'toString': range} %}{{ groups[k] }}`,
    `{% set c = cycler('a', 'constructor') %}{% set k = {'toString': c.next} %}{{ range[k][k]("${write}")() }}`,
    `{% set k = {'valueOf': joiner()} %}{{ [1, 2][k] }}`,
    `{% set k = {'toString': 'constructor'} %}{{ inventory_hostname[k] }}`,
    `{{ ''.__class__.__mro__[1].__subclasses__() }}`,
    `{{ self.__init__.__globals__.__builtins__.open('${S}').read() }}`,
    `{{ config.items() }}`,
    `{{ request.application.__globals__.__builtins__.__import__('os').popen('touch ${M}').read() }}`,
    `{{ lipsum.__globals__['os'].popen('touch ${M}').read() }}`,
    `{{ cycler.__init__.__globals__.os.popen('cat ${S}').read() }}`,
    `{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}`,
    `{% macro m() %}{{ range.constructor("${write}")() }}{% endmacro %}{{ m() }}`,
    `{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}{{ range.constructor("${write}")() }}{% endcall %}`,
    `{{ caller.constructor("${write}")() }}`,
    `{% include '${S}' %}`,
    `{% import '${S}' as s %}{{ s }}`,
    `{% extends '${S}' %}`,
    `{% set f = range.constructor %}{{ f("${write}")() }}`,
    `{% set f = inventory_hostname.constructor %}{% set g = f.constructor %}{{ g("${read}")() }}`,
    `{% for k, v in groups %}{{ v.constructor.constructor("${write}")() }}{% endfor %}`,
    `{{ groups | dictsort | first | attr('constructor') }}`,
    `{{ 'a' | replace('a', range.constructor) }}`,
    `{{ 'x' ~ range.constructor }}`,
    `{{ r/x/.constructor.constructor("${write}")() }}`,
    `{{ hostvars.constructor.constructor("${write}")() }}`,
    `{{ hostvars['__proto__'] }}`,
    `{{ process.mainModule.require('fs').writeFileSync('${M}', 'x') }}`,
    `{{ global.process.env }}`,
    `{{ inventory_hostname.toString.call.apply }}`,
    `{{ '{"__proto__": {"polluted": 1}}' | from_json }}{{ {}.polluted }}`,
    `{{ range(100000000) | length }}`,
    `{{ 7*7 }}`,
    `\${7*7} #{7*7} <%= 7*7 %>`,
    `{{ '{{' }} range.constructor("${write}")() {{ '}}' }}`,
    `{% raw %}{{ range.constructor("${write}")() }}{% endraw %}`,
  ]
}

/** The controller is untouched: no marker, and the secret's token is in no output given. */
export function assertUntouched(t: Trap, ...outputs: readonly string[]): void {
  assert.equal(existsSync(t.marker), false, `a payload wrote ${t.marker} on the controller`)
  for (const out of outputs) assert.equal(out.includes(t.token), false, 'a payload read the controller\'s secret file')
}

/** What a refused template says: a template error naming the problem (never a JS stack). */
export const TEMPLATE_ERROR = /template syntax error|cannot render|is undefined|undefined variable|not supported in tend templates|can be called|unknown filter|unknown test|refers to itself|range\(\)/
