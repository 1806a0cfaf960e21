/**
 * Ansible's argument syntax, pure: split_args/parse_kv, the argument types and symbolic modes.
 * The expected values were printed by ansible-core 2.14's own functions (parsing/splitter.py,
 * AnsibleModule._symbolic_mode_to_octal) on the same inputs.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ansibleBool, coerceToSchema, parseKv, splitArgs } from '../../src/playbook/ansible-args.js'
import { applySymbolicMode, modeText } from '../../src/modules/content/mode.js'
import { modules } from '../../src/modules/index.js'

test('split_args keeps quoted strings and {{ }} blocks whole, as Ansible splits them', () => {
  assert.deepEqual(splitArgs('src=motd dest=/etc/motd'), ['src=motd', 'dest=/etc/motd'])
  assert.deepEqual(splitArgs(`a="x y" b='q r' c=1`), ['a="x y"', "b='q r'", 'c=1'])
  assert.deepEqual(splitArgs('echo "a b" > /tmp/f removes=/tmp/g'), ['echo', '"a b"', '>', '/tmp/f', 'removes=/tmp/g'])
  assert.deepEqual(splitArgs('msg="{{ a }} b" x={{ c | default("d e") }}'), ['msg="{{ a }} b"', 'x={{ c | default("d e") }}'])
  assert.equal(splitArgs('a="unclosed'), undefined)
})

test('parse_kv: options unquoted, escapes decoded, other words kept as the command line', () => {
  assert.deepEqual(parseKv(`a="x y" b='q r' c=1`), { options: { a: 'x y', b: 'q r', c: '1' } })
  assert.deepEqual(parseKv('cmd="a\\nb"'), { options: { cmd: 'a\nb' } })
  assert.deepEqual(parseKv('path=a\\=b'), { options: { path: 'a\\=b' } })
  assert.deepEqual(parseKv('echo x=1 y'), { options: { x: '1' }, raw: 'echo y' })
  // command/shell: only creates, removes, chdir… are options; the rest is the command line, quotes and all.
  assert.deepEqual(parseKv('touch /x creates=/x chdir=/tmp', true), { options: { creates: '/x', chdir: '/tmp' }, raw: 'touch /x' })
  assert.deepEqual(parseKv('echo x=1 y', true), { options: {}, raw: 'echo x=1 y' })
  assert.deepEqual(parseKv('echo "a b" > /tmp/f removes=/tmp/g', true), { options: { removes: '/tmp/g' }, raw: 'echo "a b" > /tmp/f' })
})

test('booleans are check_type_bool\'s: y/yes/on/1/true/t and their opposites, any case; other words are not', () => {
  for (const word of ['y', 'yes', 'on', '1', 'true', 't', 'YES', 'True', 1, true]) assert.equal(ansibleBool(word), true, String(word))
  for (const word of ['n', 'no', 'off', '0', 'false', 'f', 'No', 0, false]) assert.equal(ansibleBool(word), false, String(word))
  for (const word of ['maybe', '', 2, 'yes please']) assert.equal(ansibleBool(word), undefined, String(word))
})

test('module arguments are converted to their schema\'s types: booleans, integers, lists of integers', () => {
  const unit = modules.unit!.module.schema
  assert.deepEqual(coerceToSchema({ name: 'a', enabled: 'yes', masked: 'off' }, unit), { name: 'a', enabled: true, masked: false })
  assert.deepEqual(coerceToSchema({ port: '80', timeout: '5' }, modules.wait_for!.module.schema), { port: 80, timeout: 5 })
  assert.deepEqual(coerceToSchema({ url: 'http://x/', status: '200,204' }, modules.http!.module.schema), { url: 'http://x/', status: [200, 204] })
  // What does not convert stays as written, for the schema check to name.
  assert.deepEqual(coerceToSchema({ name: 'a', enabled: 'maybe' }, unit), { name: 'a', enabled: 'maybe' })
  // Templates stay until rendered.
  const keep = (v: unknown) => typeof v === 'string' && v.includes('{{')
  assert.deepEqual(coerceToSchema({ name: 'a', enabled: '{{ e }}' }, unit, { keep }), { name: 'a', enabled: '{{ e }}' })
})

test('mode: a number is the bits (YAML 1.1 reads 0644 as 420), octal text is octal, symbolic text stays symbolic', () => {
  assert.equal(modeText(420), '0644')
  assert.equal(modeText('644'), '0644')
  assert.equal(modeText('0o750'), '0750')
  assert.equal(modeText('u=rw,g=r,o=r'), 'u=rw,g=r,o=r')
  assert.equal(modeText('+x'), undefined) // no users: that would depend on the host's umask
  assert.equal(modeText(0o10000), undefined)
})

test('a symbolic mode is applied to the current mode as Ansible applies it', () => {
  const cases: [string, number, number][] = [
    ['u=rw,g=r,o=r', 0o600, 0o644],
    ['u+x', 0o644, 0o744],
    ['a-w', 0o664, 0o444],
    ['g=u', 0o750, 0o770],
    ['u=rwX,g=rX,o=', 0o644, 0o640],
    ['u=rwX,g=rX,o=', 0o744, 0o750],
    ['o+t', 0o755, 0o1755],
    ['u+s,g+s', 0o755, 0o6755],
    ['a=r', 0o4755, 0o444],
  ]
  for (const [mode, current, expected] of cases) {
    assert.equal(applySymbolicMode(mode, current).toString(8), expected.toString(8), `${mode} on ${current.toString(8)}`)
  }
})
