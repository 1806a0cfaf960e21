import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError } from '../../src/errors.js'
import { evaluateCondition, renderValue } from '../../src/template/playbook.js'
import { checkModuleArgs } from '../../src/playbook/module-args.js'

const where = { file: 'site.yaml', line: 7, column: 9 }
const vars = { port: 8000, unit: 'scidex-api.service', routes: ['/', '/gaps', '/'], empty: [], result: { rc: 1, failed: true, changed: false }, nothing: null, name: "it's" }
const render = (value: unknown) => renderValue(value, vars, where)
const when = (expr: string) => evaluateCondition(expr, vars, where)

function configError(fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  assert.fail('expected a ConfigError')
}

test('a string that is exactly one {{ expr }} keeps its native type', () => {
  assert.equal(render('{{ port }}'), 8000)
  assert.deepEqual(render('{{ routes | unique }}'), ['/', '/gaps'])
  assert.equal(render('{{ nothing }}'), null)
  assert.equal(render('port {{ port }}'), 'port 8000')
})

test('rendering recurses into lists and mappings and leaves plain values alone', () => {
  assert.deepEqual(render({ url: 'http://127.0.0.1:{{ port }}', routes: ['{{ routes | first }}'], n: 3, t: true }), {
    url: 'http://127.0.0.1:8000', routes: ['/'], n: 3, t: true,
  })
})

test('Ansible filters behave as in Ansible', () => {
  assert.equal(render("{{ missing | default('x') }}"), 'x')
  assert.equal(render("{{ nothing | default('x') }}"), null) // default replaces undefined only
  assert.equal(render("{{ '' | d('x', true) }}"), 'x')
  assert.equal(render("{{ 'yes' | bool }}"), true)
  assert.equal(render("{{ '42' | int + 1 }}"), 43)
  assert.equal(render("{{ '1.5' | float }}"), 1.5)
  assert.equal(render('{{ port | string }}'), '8000')
  assert.equal(render("{{ ' A ' | trim | lower }}"), 'a')
  assert.equal(render("{{ routes | join(',') }}"), '/,/gaps,/')
  assert.equal(render('{{ routes | length }}'), 3)
  assert.equal(render('{{ routes | last }}'), '/')
  assert.deepEqual(render('{{ [3, 1, 2] | sort }}'), [1, 2, 3])
  assert.equal(render("{{ unit | replace('.service', '') }}"), 'scidex-api')
  // In `{{ }}` of playbook text a backslash is literal, as Ansible's escape_backslashes makes it.
  assert.equal(render("{{ unit | regex_replace('^(\\w+)-api', '\\1-web') }}"), 'scidex-web.service')
  assert.equal(render("{{ unit | regex_search('api') }}"), 'api')
  assert.equal(render("{{ unit | regex_search('nope') }}"), null)
  assert.equal(render('{{ result | to_json }}'), '{"rc": 1, "failed": true, "changed": false}') // Python's json.dumps, as Ansible
  assert.deepEqual(render("{{ '{\"a\": [1]}' | from_json }}"), { a: [1] })
  assert.equal(render('{{ routes | unique | to_yaml }}'), '[/, /gaps]\n') // PyYAML's default flow style, as Ansible
  assert.equal(render('{{ name | quote }}'), `'it'"'"'s'`) // Python's shlex.quote, as Ansible
  assert.equal(render("{{ '/etc/x/y.conf' | basename }}"), 'y.conf')
  assert.equal(render("{{ '/etc/x/y.conf' | dirname }}"), '/etc/x')
  assert.equal(render("{{ (port > 1) | ternary('big', 'small') }}"), 'big')
  assert.equal(render('{{ 7 | upper }}'), '7')
})

test('conditions are bare Jinja expressions with Jinja truthiness and Ansible tests', () => {
  assert.equal(when('result.rc != 0'), true)
  assert.equal(when('unit == "scidex-api.service"'), true)
  assert.equal(when('missing is defined'), false)
  assert.equal(when('missing is not defined'), true)
  assert.equal(when('missing is undefined'), true)
  assert.equal(when('nothing is none'), true)
  assert.equal(when('result is failed'), true)
  assert.equal(when('result is succeeded'), false)
  assert.equal(when('result is changed'), false)
  assert.equal(when('result is not skipped'), true)
  assert.equal(when('empty'), false) // an empty list is false in Jinja, unlike JavaScript
  assert.equal(when('port in [8000, 8080] and result.rc == 1'), true)
  assert.equal(when('{{ port == 8000 }}'), true)
})

test('an undefined variable is a ConfigError at the given place, naming the variable', () => {
  const error = configError(() => render('http://{{ hots }}:{{ port }}'))
  assert.equal(error.diagnostics.length, 1)
  const [d] = error.diagnostics
  assert.deepEqual([d?.file, d?.line, d?.column], ['site.yaml', 7, 9])
  assert.match(d!.message, /undefined variable `hots`/)
  assert.match(configError(() => when('state == "active"')).diagnostics[0]!.message, /undefined variable `state` in `state == "active"`/)
})

test('an undefined attribute and mandatory are errors, a syntax error too', () => {
  assert.match(configError(() => render('{{ result.stdout }}')).diagnostics[0]!.message, /result\.stdout/)
  assert.match(configError(() => render("{{ missing | mandatory('set missing') }}")).diagnostics[0]!.message, /set missing/)
  assert.match(configError(() => render('{{ port | }}')).diagnostics[0]!.message, /syntax error/)
})

test('templates cannot reach the filesystem or JavaScript', () => {
  assert.throws(() => render("{% include '/etc/passwd' %}"), ConfigError)
  // The classic nunjucks escape: range.constructor is Function. It must not run.
  const escape = `{{ range.constructor("return process.env")() }}`
  assert.throws(() => render(escape), ConfigError)
  assert.throws(() => render("{{ port['constructor'] }}"), ConfigError)
})

test('rendered module args are checked against the module schema', () => {
  assert.deepEqual(checkModuleArgs('shell', { cmd: 'echo hi' }, where), [])
  const [d] = checkModuleArgs('shell', { cmd: ['echo', 'hi'] }, where)
  assert.deepEqual([d?.line, d?.column], [7, 9])
  assert.match(d!.message, /`cmd` must be string/)
})

test('rendered scalars are converted to the types the module asks for, like Ansible', () => {
  // `-e port=9000` arrives as a string; `{{ port }}` renders to a number.
  const spec = { port: '9000', owner: 'api.service', grace: '2' }
  assert.deepEqual(checkModuleArgs('port', spec, where), [])
  assert.deepEqual(spec, { port: 9000, owner: 'api.service', grace: 2 })
  const shell = { cmd: 8000 }
  assert.deepEqual(checkModuleArgs('shell', shell, where), [])
  assert.equal(shell.cmd, '8000')
  assert.equal(checkModuleArgs('port', { port: 'eighty', owner: 'x.service' }, where).length, 1)
})
