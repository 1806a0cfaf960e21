/**
 * PyYAML's implicit resolvers (YAML 1.1, as Ansible's SafeLoader/SafeDumper use them): which tag a
 * plain scalar gets. The dumper quotes a string exactly when its plain form would resolve to
 * something else (`'yes'`, `'123'`, `'null'`); the loader builds values from the same rules.
 */

export type ImplicitTag = 'bool' | 'int' | 'float' | 'null' | 'timestamp' | 'merge' | 'value' | 'str'

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/
const FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/
const NULL = /^(?:~|null|Null|NULL|)$/
export const TIMESTAMP = /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/

/** The resolvers PyYAML registers, in its order, by the first character they may start with. */
const RESOLVERS: readonly (readonly [ImplicitTag, RegExp, string])[] = [
  ['bool', BOOL, 'yYnNtTfFoO'],
  ['float', FLOAT, '-+0123456789.'],
  ['int', INT, '-+0123456789'],
  ['merge', /^(?:<<)$/, '<'],
  ['null', NULL, '~nN'],
  ['timestamp', TIMESTAMP, '0123456789'],
  ['value', /^(?:=)$/, '='],
]

/** The tag PyYAML gives a plain scalar. */
export function resolvePlain(value: string): ImplicitTag {
  if (value === '') return 'null'
  const first = value[0]!
  for (const [tag, pattern, starts] of RESOLVERS) {
    if (starts.includes(first) && pattern.test(value)) return tag
  }
  return 'str'
}
