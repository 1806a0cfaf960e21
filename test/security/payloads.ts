/**
 * Template-escape attempts: published Jinja/nunjucks SSTI payloads and JavaScript-specific ones
 * (constructor/__proto__/prototype in every syntax, keys whose toString/valueOf are functions,
 * globals and filters that would return functions, macros, caller, includes), and names that
 * break out of the JavaScript a compiling engine generates (`{% set x"&&Function`…``` %}` ran
 * code under nunjucks). Each tries to write a marker file on the controller or to read a secret
 * file there.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'

export interface Trap {
  /** Must never exist: every code-running payload tries to create it. */
  readonly marker: string
  /** A file on the controller whose token must never appear in any output. */
  readonly secretFile: string
  readonly token: string
}

/** Secret files this process wrote, removed when it exits. */
const written: string[] = []
process.on('exit', () => written.forEach((f) => rmSync(f, { force: true })))
function plant(t: Trap): void {
  writeFileSync(t.secretFile, t.token)
  written.push(t.secretFile)
}

export function trap(): Trap {
  const id = randomBytes(4).toString('hex')
  const t = { marker: join(tmpdir(), `tend-ssti-${id}`), secretFile: join(tmpdir(), `tend-ssti-secret-${id}`), token: `TOKEN${randomBytes(6).toString('hex')}` }
  plant(t)
  return t
}

type Payload = (t: Trap) => string

/** JavaScript a payload wants run in tend's process: write the marker, or throw the secret into a message. */
const writeJs = (t: Trap) => `process.getBuiltinModule('fs').writeFileSync('${t.marker}','x')`
const leakJs = (t: Trap) => `throw new Error(process.getBuiltinModule('fs').readFileSync('${t.secretFile}','utf8'))`

/** `js` as a nunjucks symbol can carry it: every character outside [A-Za-z0-9_] as a \xHH escape in a template literal. */
const inSymbol = (js: string) => [...js].map((c) => (/\w/.test(c) ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)).join('')
/** A name that closes the "…" a compiler puts it in and calls Function`js``` (no delimiter a lexer splits on). */
const breakout = (js: string, before = 'x', after = '') => `${before}"&&Function\`${inSymbol(js)}\`\`\`&&"${after}`

/** Names: the breakout plain and wrapped in what escapers, normalisers and identifier checks must handle. */
const NAMES: ReadonlyArray<(js: string) => string> = [
  (js) => breakout(js),
  (js) => breakout(js, "x'", "'"),
  (js) => breakout(js, 'x`', '`'),
  (js) => breakout(js, 'x${', '}'),
  (js) => breakout(js, 'x\u2028', '\u2028'),
  (js) => breakout(js, 'x\\\\'),
  (js) => breakout(js, 'x\n'),
  (js) => breakout(js, 'x*/', '/*'),
  (js) => breakout(js, 'x</script><script>'),
  (js) => breakout(js, 'r\u0430nge'), // Cyrillic а
  (js) => breakout(js, '\uff58'), // full-width ｘ
  (js) => breakout(js, 'x\u200d', '\u200d'), // zero-width joiner
  (js) => breakout(js, 'x\0', '\0'),
]

/** Places a template binds or looks up a name. */
const CONTEXTS: ReadonlyArray<(name: string) => string> = [
  (n) => `{% set ${n} = 1 %}`,
  (n) => `{% for ${n} in [1] %}{% endfor %}`,
  (n) => `{% macro ${n}() %}{% endmacro %}`,
  (n) => `{% macro m(${n}) %}{% endmacro %}{{ m(1) }}`,
  (n) => `{% macro m() %}{{ caller(1) }}{% endmacro %}{% call(${n}) m() %}{% endcall %}`,
  (n) => `{{ 1 if ${n} is defined else 2 }}`,
  (n) => `{% with ${n} = 1 %}{% endwith %}`,
  (n) => `{% filter ${n} %}x{% endfilter %}`,
]
/** More binding places, with the plain breakout only. */
const MORE_CONTEXTS: ReadonlyArray<(name: string) => string> = [
  (n) => `{% set a, ${n} = [1, 2] %}`,
  (n) => `{% set ${n} %}x{% endset %}`,
  (n) => `{% for k, ${n} in {'a': 1} %}{% endfor %}`,
  (n) => `{{ ${n} | default(1) }}`,
  (n) => `{% set ns = namespace() %}{% set ns.${n} = 1 %}`,
  (n) => `{{ range(${n}=1) }}`,
]

function nameInjections(): Payload[] {
  const out: Payload[] = []
  for (const context of CONTEXTS) for (const name of NAMES) out.push((t) => context(name(writeJs(t))))
  for (const context of MORE_CONTEXTS) out.push((t) => context(breakout(writeJs(t))))
  for (const context of [CONTEXTS[0]!, CONTEXTS[1]!, CONTEXTS[5]!, MORE_CONTEXTS[3]!]) out.push((t) => context(breakout(leakJs(t))))
  // A `when:` is wrapped as `{{ (EXPR) | … }}` by a compiling engine: an expression that closes it.
  out.push((t) => `1) }}{% set ${breakout(writeJs(t))} = 1 %}{{ (1`)
  out.push((t) => `1) }}{{ range.constructor("${writeJs(t)}")() }}{{ (1`)
  return out
}

const KEYS = ['constructor', '__proto__', 'prototype', '__defineGetter__', 'toString', 'valueOf', 'hasOwnProperty'] as const

/** Dangerous keys through every way tend templates reach a member or build a mapping. */
function keyLookups(): Payload[] {
  const out: Payload[] = []
  for (const k of KEYS) {
    out.push((t) => `{{ inventory_hostname.${k}.constructor("${writeJs(t)}")() }}`)
    out.push((t) => `{{ group_names['${k}']['constructor']("${writeJs(t)}")() }}`)
    out.push((t) => `{{ (groups | attr('${k}') | attr('constructor'))("${writeJs(t)}")() }}`)
    out.push((t) => `{{ ([inventory_hostname] | map(attribute='${k}') | map(attribute='constructor') | first)("${writeJs(t)}")() }}`)
  }
  for (const k of ['__proto__', 'constructor', 'prototype'] as const) {
    const shell = `{"${k}": {"shell": "/bin/sh", "polluted": "yes"}}`
    out.push(() => `{{ [{'${k}': 1}] | selectattr('${k}') | map(attribute='${k}') | list }}{{ [{}] | selectattr('${k}', 'defined') | list }}`)
    out.push(() => `{{ ('${shell}' | from_json | dict2items)[0].value }}{{ {}.polluted }}`)
    out.push(() => `{% set _ = {} | combine('${shell}' | from_json, recursive=true) %}{{ {}.polluted }}{{ {}.shell }}`)
    out.push(() => `{% set _ = [{'key': '${k}', 'value': {'shell': '/bin/sh'}}] | items2dict %}{{ _.shell }}{{ {}.shell }}`)
    out.push(() => `{{ '${k}: {shell: /bin/sh, polluted: yes}' | from_yaml }}{{ {}.polluted }}`)
    out.push((t) => `{{ groups | json_query('${k}.constructor') }}{{ [] | json_query('${k}') }}{{ '' | json_query("constructor.constructor('${writeJs(t)}')()") }}`)
    out.push(() => `{% set d = dict(${k}={'shell': '/bin/sh'}) %}{{ d.shell }}{{ {}.shell }}`)
  }
  out.push(() => `{% set ns = namespace(__proto__={'shell': '/bin/sh'}) %}{{ ns.shell }}{{ {}.shell }}`)
  out.push(() => `{{ namespace(__proto__=1) }}{{ dict(__proto__=1) }}{{ dict(constructor=range).constructor }}`)
  out.push((t) => `{{ "!!js/function 'function () { ${writeJs(t)} }'" | from_yaml }}`)
  out.push((t) => `{{ "!!python/object/apply:os.system ['touch ${t.marker}']" | from_yaml }}`)
  out.push(() => `{{ '{"toString": 1, "valueOf": 2}' | from_json }}{{ ('{"toString": 1}' | from_json) ~ 'x' }}`)
  return out
}

/** Method calls and formatting, which Jinja's sandbox escapes went through. */
const methodCalls: Payload[] = [
  (t) => `{{ ''.constructor.constructor("${writeJs(t)}")() }}`,
  (t) => `{{ 'x'.format.__globals__.__builtins__.open('${t.secretFile}').read() }}`,
  () => `{{ '{0.__class__.__init__.__globals__}'.format(inventory_hostname) }}`,
  (t) => `{{ '{0.__init__.__globals__[os].popen}'.format(lipsum)('touch ${t.marker}') }}`,
  () => `{{ '%s' % range }}{{ '%s' % inventory_hostname.constructor }}`,
  (t) => `{{ "%(a)s" % {'a': ''.__class__.__mro__[1].__subclasses__()} }}{{ 'touch ${t.marker}' }}`,
  () => `{{ ''.__class__.__mro__[1].__subclasses__()[40]('/etc/passwd').read() }}`,
  (t) => `{{ inventory_hostname.upper() }}{{ inventory_hostname.replace('a', range.constructor("${writeJs(t)}")) }}`,
  (t) => `{{ 'x'.toString.call.constructor("${writeJs(t)}")() }}`,
  (t) => `{{ [].map.constructor("${writeJs(t)}")() }}`,
  (t) => `{{ 'x' | format(range.constructor("${leakJs(t)}")) }}`,
  (t) => `{{ inventory_hostname.__class__.__base__.__subclasses__() }}{{ 'cat ${t.secretFile}' }}`,
]

/** Format specs that walk attributes, and methods that would change what the template was given. */
const formatsAndMutations: Payload[] = [
  (t) => `{{ '{0.constructor.constructor}'.format(inventory_hostname)("${writeJs(t)}")() }}`,
  () => `{{ '{0[__proto__][constructor]}'.format({}) }}{{ '{0.__proto__}'.format(groups) }}`,
  () => `{{ '{a.constructor.name}'.format(a=range) }}{{ '{0.__len__}'.format('x') }}`,
  () => `{{ '%(constructor)s' % {} }}{{ '%(__proto__)s' % {} }}{{ '{constructor}'.format_map({}) }}`,
  () => `{{ '{0:{1}}'.format(inventory_hostname, '>99999999') }}`,
  () => `{{ groups.all.append('MUT' ~ 'ATED') }}{{ group_names.append('MUT' ~ 'ATED') }}`,
  () => `{{ hostvars[inventory_hostname].update({'MUT' ~ 'ATED': 1}) }}{{ hostvars.update({'MUT' ~ 'ATED': {}}) }}`,
  () => `{{ hostvars[inventory_hostname].pop('ansible_connection', '') }}`,
  () => `{{ hostvars[inventory_hostname].update({'ansible_connection': 'ssh', 'ansible_host': '192.0.2.1'}) }}`,
  () => `{% set ns = namespace(l=groups) %}{% set _ = ns.l.all.append('MUT' ~ 'ATED') %}{% set g = groups %}{% set _ = g.setdefault('MUT' ~ 'ATED', []) %}`,
  () => `{% for g in groups.values() %}{{ g.extend(['MUT' ~ 'ATED']) }}{% endfor %}{{ lookup('vars', 'groups').append('MUT' ~ 'ATED') }}`,
  () => `{% set d = {} %}{% set _ = d.update('{"__proto__": {"shell": "/bin/sh"}}' | from_json) %}{{ d.shell }}{{ {}.shell }}`,
  () => `{{ ('[' * 100000 ~ ']' * 100000) | from_json | to_json }}`,
  () => `{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}`,
  () => `{% set l = [1] %}{% for x in l %}{% set _ = l.append(x) %}{% endfor %}`,
  () => `{{ 2 ** 99999999 }}{{ 10 ** 10 ** 10 }}{{ 9 ** 9 ** 9 }}`,
]

/** Python SSTI classics: the globals Jinja and Flask hand templates. */
const pythonClassics: Payload[] = [
  (t) => `{{ lipsum.__globals__.os.popen('touch ${t.marker}').read() }}`,
  (t) => `{{ cycler.__init__.__globals__.os.popen('touch ${t.marker}').read() }}`,
  (t) => `{{ joiner.__init__.__globals__.os.popen('touch ${t.marker}').read() }}`,
  (t) => `{{ namespace.__init__.__globals__.os.popen('touch ${t.marker}').read() }}`,
  (t) => `{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('cat ${t.secretFile}').read() }}`,
  (t) => `{{ config.__class__.__init__.__globals__['os'].popen('touch ${t.marker}').read() }}`,
  (t) => `{{ request.__class__.__mro__[1].__subclasses__() }}{{ request.args.x }}{{ 'touch ${t.marker}' }}`,
  (t) => `{{ url_for.__globals__.os.popen('touch ${t.marker}').read() }}`,
  (t) => `{{ get_flashed_messages.__globals__.__builtins__.open('${t.secretFile}').read() }}`,
  (t) => `{% set ns = namespace() %}{{ ns.__init__.__globals__.os.popen('touch ${t.marker}') }}`,
  (t) => `{{ lipsum() }}{{ cycler(1).next() }}{{ joiner()() }}{{ range.constructor("${writeJs(t)}")() }}`,
  () => `{{ self }}{{ config }}{{ request }}{{ varargs }}{{ kwargs }}{{ caller }}{{ loop }}`,
]

const rangeAbuse: Payload[] = [
  (t) => `{{ range.constructor("${writeJs(t)}")() }}{{ range.call }}`,
  () => `{{ range(1e308) | length }}`,
  () => `{{ range(-1, -1e12, -1) | length }}`,
  () => `{{ range(0, 1, 1e-300) | length }}`,
  () => `{{ range(9007199254740992, 9007199254740994) | length }}`,
  () => `{{ range('constructor') }}{{ range(constructor=1) }}{{ range(*[1, 2]) }}`,
  () => `{% for i in range(1000000000) %}{% endfor %}`,
  () => `{{ (range(100000) | list) * 100000 }}{{ 'x' * 1000000000 }}`,
]

const lookups: Payload[] = [
  (t) => `{{ lookup('pipe', 'touch ${t.marker}') }}`,
  (t) => `{{ lookup('pipe', 'cat ${t.secretFile}') }}`,
  (t) => `{{ lookup('env', 'TEND_SSTI_SECRET_FILE') }}{{ lookup('file', lookup('env', 'TEND_SSTI_SECRET_FILE')) }}`,
  (t) => `{{ query('file', '${t.secretFile}') }}`,
  (t) => `{{ lookup('file', '${t.secretFile}') }}`,
  (t) => `{{ lookup('template', '${t.secretFile}') }}`,
  (t) => `{{ lookup('file', '../../../../../../../../..${t.secretFile}') }}{{ q('fileglob', '${dirname(t.secretFile)}/*') }}`,
  (t) => `{{ lookup('lines', 'touch ${t.marker}') }}{{ query('pipe', 'touch ${t.marker}') }}`,
  (t) => `{{ lookup.constructor("${writeJs(t)}")() }}{{ query.constructor }}`,
]

const includes: Payload[] = [
  (t) => `{% include '${t.secretFile}' ignore missing %}`,
  (t) => `{% from '${t.secretFile}' import x %}{{ x }}`,
  (t) => `{% import '${t.secretFile}' as s with context %}{{ s }}`,
  (t) => `{% include ['nope', '${t.secretFile}'] %}`,
  (t) => `{% include '../../../../../../../../..${t.secretFile}' %}`,
  (t) => `{% include '${basename(t.secretFile)}' %}{% extends '${basename(t.secretFile)}' %}`,
]

/** Text that a second rendering would run: it must stay text. */
const smuggling: Payload[] = [
  (t) => `{% raw %}{% set ${breakout(writeJs(t))} = 1 %}{% endraw %}`,
  (t) => `{% raw %}{% endraw %}{{ range.constructor("${writeJs(t)}")() }}{% endraw %}`,
  (t) => `{%- raw -%}{{ lookup('pipe', 'touch ${t.marker}') }}{%- endraw -%}`,
  (t) => `{{ '{%' }} set ${breakout(writeJs(t))} = 1 {{ '%}' }}`,
  (t) => `{# {{ range.constructor("${writeJs(t)}")() }} #}`,
  (t) => `{# #} #}{{ range.constructor("${writeJs(t)}")() }}`,
  (t) => `{# {% set ${breakout(writeJs(t))} = 1 %} #}`,
  (t) => `{{ 1 {# }}{% set ${breakout(writeJs(t))} = 1 %}{{ #} }}`,
  (t) => `{# unterminated {{ range.constructor("${writeJs(t)}")() }}`,
  (t) => `{#- {# -#}{% set ${breakout(writeJs(t))} = 1 %}`,
]

/** Sizes a recursive parser or evaluator must survive without a crash. */
const resources: Payload[] = [
  () => `{{ ${'('.repeat(10_000)}1${')'.repeat(10_000)} }}`,
  () => `{{ ${'['.repeat(10_000)}${']'.repeat(10_000)} }}`,
  () => `{{ ${'not '.repeat(10_000)}1 }}`,
  () => `{{ 1${' | string'.repeat(10_000)} }}`,
  () => `{{ inventory_hostname${'.a'.repeat(10_000)} | default(1) }}`,
  () => `${'{% if 1 %}'.repeat(2_000)}x${'{% endif %}'.repeat(2_000)}`,
  () => `{% set ${'a'.repeat(100_000)} = 1 %}{{ ${'a'.repeat(100_000)} }}`,
  () => `{{ ${'b'.repeat(100_000)} | default(1) }}`,
  (t) => `{% set ${'c'.repeat(100_000)}${breakout(writeJs(t))} = 1 %}`,
]

/** NUL bytes and delimiters other engines use. */
const oddities: Payload[] = [
  () => `{{ 'a\0' }}{{ inventory_hostname ~ '\0' }}`,
  (t) => `\0{{ range.constructor("${writeJs(t)}")() }}`,
  (t) => `{{ inventory_hostname\0.constructor.constructor("${writeJs(t)}")() }}`,
  (t) => `\uff5b\uff5b range.constructor("${writeJs(t)}")() \uff5d\uff5d`, // full-width braces
  (t) => `{{- range.constructor("${writeJs(t)}")() -}}{%+ if 1 +%}{%- endif -%}`,
  (t) => `\${${writeJs(t)}}<%= ${writeJs(t)} %>#{${writeJs(t)}}`,
  (t) => `{{ "\\u0022);${writeJs(t)};//" }}{{ '\\x22' }}`,
]

/** The first corpus (kept as written): published SSTI payloads and JavaScript-specific ones. */
const w = (t: Trap) => `return process.mainModule.require('fs').writeFileSync('${t.marker}','x')`
const r = (t: Trap) => `return process.mainModule.require('fs').readFileSync('${t.secretFile}','utf8')`
const classics: Payload[] = [
  (t) => `{{ range.constructor("${w(t)}")() }}`,
  (t) => `{{ cycler.constructor("${w(t)}")() }}`,
  (t) => `{{ joiner.constructor("${w(t)}")() }}`,
  (t) => `{{ lipsum.constructor("${r(t)}")() }}`,
  (t) => `{{ ''.constructor.constructor("${w(t)}")() }}`,
  (t) => `{{ inventory_hostname['constructor']['constructor']("${w(t)}")() }}`,
  (t) => `{{ inventory_hostname["constructor"].constructor("${r(t)}")() }}`,
  (t) => `{{ (inventory_hostname|attr('constructor')|attr('constructor'))("${w(t)}") }}`,
  () => `{{ range|attr('constructor') }}`,
  () => `{{ inventory_hostname.__proto__.constructor }}`,
  () => `{{ group_names.__proto__ }}`,
  () => `{{ {}.__proto__.constructor.getOwnPropertyNames }}`,
  () => `{{ [].constructor.prototype.map }}`,
  () => `{{ groups.constructor.assign }}`,
  () => `{{ constructor.getOwnPropertyDescriptor(constructor.getPrototypeOf(range), 'constructor') }}`,
  (t) => `{{ toString.constructor("${w(t)}")() }}`,
  () => `{{ valueOf.call }}`,
  () => `{{ prototype }}`,
  () => `{{ __proto__ }}`,
  () => `{% set k = {'toString': range} %}{{ groups[k] }}`,
  (t) => `{% set c = cycler('a', 'constructor') %}{% set k = {'toString': c.next} %}{{ range[k][k]("${w(t)}")() }}`,
  () => `{% set k = {'valueOf': joiner()} %}{{ [1, 2][k] }}`,
  () => `{% set k = {'toString': 'constructor'} %}{{ inventory_hostname[k] }}`,
  () => `{{ ''.__class__.__mro__[1].__subclasses__() }}`,
  (t) => `{{ self.__init__.__globals__.__builtins__.open('${t.secretFile}').read() }}`,
  () => `{{ config.items() }}`,
  (t) => `{{ request.application.__globals__.__builtins__.__import__('os').popen('touch ${t.marker}').read() }}`,
  (t) => `{{ lipsum.__globals__['os'].popen('touch ${t.marker}').read() }}`,
  (t) => `{{ cycler.__init__.__globals__.os.popen('cat ${t.secretFile}').read() }}`,
  () => `{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}`,
  (t) => `{% macro m() %}{{ range.constructor("${w(t)}")() }}{% endmacro %}{{ m() }}`,
  (t) => `{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}{{ range.constructor("${w(t)}")() }}{% endcall %}`,
  (t) => `{{ caller.constructor("${w(t)}")() }}`,
  (t) => `{% include '${t.secretFile}' %}`,
  (t) => `{% import '${t.secretFile}' as s %}{{ s }}`,
  (t) => `{% extends '${t.secretFile}' %}`,
  (t) => `{% set f = range.constructor %}{{ f("${w(t)}")() }}`,
  (t) => `{% set f = inventory_hostname.constructor %}{% set g = f.constructor %}{{ g("${r(t)}")() }}`,
  (t) => `{% for k, v in groups %}{{ v.constructor.constructor("${w(t)}")() }}{% endfor %}`,
  () => `{{ groups | dictsort | first | attr('constructor') }}`,
  () => `{{ 'a' | replace('a', range.constructor) }}`,
  () => `{{ 'x' ~ range.constructor }}`,
  (t) => `{{ r/x/.constructor.constructor("${w(t)}")() }}`,
  (t) => `{{ hostvars.constructor.constructor("${w(t)}")() }}`,
  () => `{{ hostvars['__proto__'] }}`,
  (t) => `{{ process.mainModule.require('fs').writeFileSync('${t.marker}', 'x') }}`,
  () => `{{ global.process.env }}`,
  () => `{{ inventory_hostname.toString.call.apply }}`,
  () => `{{ '{"__proto__": {"polluted": 1}}' | from_json }}{{ {}.polluted }}`,
  () => `{{ range(100000000) | length }}`,
  () => `{{ 7*7 }}`,
  () => `\${7*7} #{7*7} <%= 7*7 %>`,
  (t) => `{{ '{{' }} range.constructor("${w(t)}")() {{ '}}' }}`,
  (t) => `{% raw %}{{ range.constructor("${w(t)}")() }}{% endraw %}`,
]

const ALL: readonly Payload[] = [
  ...classics, ...nameInjections(), ...keyLookups(), ...methodCalls, ...formatsAndMutations, ...pythonClassics, ...rangeAbuse,
  ...lookups, ...includes, ...smuggling, ...resources, ...oddities,
]

/** The payloads, with the trap's paths filled in; at least 160. */
export function payloads(t: Trap): string[] {
  return ALL.map((p) => p(t))
}

/** The trap of payload `index` in markedPayloads: a marker and a secret file (and token) of its own. */
export function payloadTrap(t: Trap, index: number | string): Trap {
  const own = { marker: markerOf(t, index), secretFile: `${t.secretFile}.${index}`, token: `${t.token}I${index}J` }
  if (!existsSync(own.secretFile)) plant(own)
  return own
}
export const markerOf = (t: Trap, index: number | string) => `${t.marker}.${index}`

/** The payloads, each with its own trap (payloadTrap), so what a finding shows names its payload. */
export function markedPayloads(t: Trap): string[] {
  return ALL.map((p, i) => p(payloadTrap(t, i)))
}

/** Every marker a payload of this trap created (its own, or one of markedPayloads'). */
export function markersFound(t: Trap): string[] {
  const name = basename(t.marker)
  return readdirSync(dirname(t.marker)).filter((f) => f === name || f.startsWith(`${name}.`)).map((f) => join(dirname(t.marker), f))
}

/** Which payloads' tokens (markedPayloads) a text holds; `?` for the trap's own token. */
export function leakedBy(t: Trap, text: string): string[] {
  const found = new Set<string>()
  for (let at = text.indexOf(t.token); at >= 0; at = text.indexOf(t.token, at + 1)) {
    found.add(/^I(\w+)J/.exec(text.slice(at + t.token.length, at + t.token.length + 12))?.[1] ?? '?')
  }
  return [...found]
}

/** The controller is untouched: no marker, and the secret's token is in no output given. */
export function assertUntouched(t: Trap, ...outputs: readonly string[]): void {
  assert.equal(existsSync(t.marker), false, `a payload wrote ${t.marker} on the controller`)
  assert.deepEqual(markersFound(t), [], 'a payload wrote a marker on the controller')
  for (const out of outputs) {
    const at = out.indexOf(t.token)
    assert.equal(at, -1, `a payload read the controller's secret file: …${out.slice(Math.max(0, at - 400), at + 100)}…`)
  }
}

/**
 * An authored lookup of a controller file (or of the environment naming one): allowed, as in
 * Ansible, so the token it reads is no leak. Host data never reaches one (entry-output checks that).
 */
export const READS_CONTROLLER_FILES = /\b(lookup|query|q)\s*\(\s*['"](ansible\.builtin\.)?(file|template|env)['"]/
export const readsControllerFiles = (payload: string | undefined): boolean => payload !== undefined && READS_CONTROLLER_FILES.test(payload)

/** What a refused template says: a template error naming the problem (never a JS stack). */
export const TEMPLATE_ERROR = /template syntax error|cannot render|is undefined|undefined variable|not supported in tend templates|can be called|unknown filter|unknown test|refers to itself|range\(\)/
