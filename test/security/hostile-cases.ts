/**
 * The hostile inputs (issue 20), each with the answer it must get. Host-free: `tend validate`, or a
 * run on the local transport. Files named in a diagnostic must come with their line:column.
 */
import type { HostileCase } from './hostile.js'

const INV = 'all:\n  hosts:\n    localhost: { ansible_connection: local }\n'
const VALID = '- hosts: all\n  tasks:\n    - debug: { msg: hi }\n'
const play = (tasks: string): string => `- hosts: all\n  tasks:\n${tasks}`
const validate = (file = 'pb.yaml'): string[] => ['validate', file, '-i', 'inv.yaml']
const run = (...extra: string[]): string[] => ['run', 'pb.yaml', '-i', 'inv.yaml', ...extra]
/** Any raw control character but \n and \t: what a terminal would obey. */
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f\u202e]/

/** --json: stdout is NDJSON and nothing else (a line separator inside a string is not a line). */
function everyLineJson(output: string): string | undefined {
  const bad = output.split('\n').filter((l) => l !== '').find((l) => {
    try {
      JSON.parse(l)
      return false
    } catch {
      return true
    }
  })
  return bad === undefined ? undefined : `a line that is not JSON: ${bad.slice(0, 200)}`
}

function laughs(levels: number): string {
  const lines = ['- hosts: all', '  vars:', `    a0: &a0 [${Array(9).fill('"lol"').join(', ')}]`]
  for (let i = 1; i <= levels; i++) lines.push(`    a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`)
  return [...lines, '  tasks: []', ''].join('\n')
}

function debugTasks(count: number): string {
  const lines = ['- hosts: all', '  tasks:']
  for (let i = 0; i < count; i++) lines.push(`    - name: t${i}`, `      debug: { msg: "${i}" }`)
  return lines.join('\n') + '\n'
}

const YAML_BOMBS: HostileCase[] = [
  { name: 'billion laughs: 9 levels of 9 aliases (387 million nodes)', files: { 'pb.yaml': laughs(9), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:1:1: Excessive alias count/ },
  { name: 'billion laughs: 4 levels, inside the alias limit, accepted', files: { 'pb.yaml': laughs(2), 'inv.yaml': INV }, args: validate(), code: 0, says: /valid/ },
  { name: 'billion laughs in an inventory', files: { 'pb.yaml': VALID, 'inv.yaml': laughs(9).replace('- hosts: all\n  vars:', 'all:\n  vars:').replace('  tasks: []\n', '') }, args: validate(), code: 5, says: /inv\.yaml:1:1: Excessive alias count/ },
  { name: 'billion laughs in a vars file', files: { 'pb.yaml': '- hosts: all\n  vars_files: [v.yaml]\n  tasks: []\n', 'v.yaml': laughs(9).replace('- hosts: all\n  vars:\n', '').replace(/^ {4}/gm, '').replace('  tasks: []\n', ''), 'inv.yaml': INV }, args: validate(), code: 5, says: /v\.yaml:1:1: Excessive alias count/ },
  { name: 'an alias of itself (recursive anchor)', files: { 'pb.yaml': '- &a\n  hosts: all\n  x: *a\n', 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:\d+:\d+/ },
  { name: 'deep nesting: 10,000 flow lists', files: { 'pb.yaml': `- hosts: all\n  vars:\n    x: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n  tasks: []\n`, 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:3:\d+: nested more than 200 levels deep/ },
  { name: 'deep nesting: 300 block mappings', files: { 'pb.yaml': `- hosts: all\n  vars:\n${Array.from({ length: 300 }, (_, i) => `${'  '.repeat(i + 2)}k${i}:`).join('\n')}\n${'  '.repeat(302)}v\n  tasks: []\n`, 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:\d+:\d+: nested more than 200 levels deep/ },
  { name: 'deep nesting: 3,000 block mappings (past the reader\'s stack)', files: { 'pb.yaml': `- hosts: all\n  vars:\n${Array.from({ length: 3000 }, (_, i) => `${'  '.repeat(i + 2)}k${i}:`).join('\n')}\n${'  '.repeat(3002)}v\n  tasks: []\n`, 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml: nested too deeply/ },
  { name: 'deep nesting in an inventory: 10,000 flow maps', files: { 'pb.yaml': VALID, 'inv.yaml': `all:\n  vars:\n    x: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n` }, args: validate(), code: 5, says: /inv\.yaml:3:\d+: nested more than 200 levels deep/ },
  { name: 'deep nesting of a Jinja expression: 5,000 parentheses', files: { 'pb.yaml': play(`    - debug: { msg: "{{ ${'('.repeat(5000)}1${')'.repeat(5000)} }}" }\n`), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:3:\d+: template syntax error: expression nested more than 200 levels/ },
  { name: '10,000 duplicate keys', files: { 'pb.yaml': `- hosts: all\n  vars:\n${Array.from({ length: 10_000 }, () => '    k: 1').join('\n')}\n  tasks: []\n`, 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:4:5: Map keys must be unique/ },
  { name: 'a custom YAML tag (!!python/object)', files: { 'pb.yaml': '- hosts: all\n  vars:\n    x: !!python/object:os.system [id]\n  tasks: []\n', 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:3:\d+/ },
  { name: '20,000 tasks with an unknown module each: every one reported', files: { 'pb.yaml': `- hosts: all\n  tasks:\n${Array.from({ length: 20_000 }, () => '    - nosuch: {}').join('\n')}\n`, 'inv.yaml': INV }, args: validate(), code: 5, says: /20000 problems found/ },
  { name: '20,000 tasks validate', files: { 'pb.yaml': debugTasks(20_000), 'inv.yaml': INV }, args: validate(), code: 0, says: /20000 tasks/, limitMs: 40_000 },
]

const HUGE_LINE = 'x'.repeat(10 * 1024 * 1024)
const HUGE: HostileCase[] = [
  { name: 'a 10 MB line as a value, accepted', files: { 'pb.yaml': play(`    - debug: { msg: "${HUGE_LINE}" }\n`), 'inv.yaml': INV }, args: validate(), code: 0, says: /valid/ },
  { name: 'a 10 MB line with an error at its end: the source line is cut around the caret', files: { 'pb.yaml': play(`    - debug: { msg: ${HUGE_LINE}: } }\n`), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:3:\d+: .*\n\s+3 \| …x{100,170}/, never: /x{1000}/ },
  { name: 'a 10 MB key: YAML allows 1024 characters', files: { 'pb.yaml': `- hosts: all\n  vars:\n    ${HUGE_LINE}: 1\n  tasks: []\n`, 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:3:5: The : indicator must be at most 1024 chars/, never: /x{1000}/ },
  { name: 'a 1 MB task name, run', files: { 'pb.yaml': play(`    - name: ${'n'.repeat(1024 * 1024)}\n      debug: { msg: hi }\n`), 'inv.yaml': INV }, args: run(), code: 0, says: /ok=1/ },
  { name: 'a host range of 100 million hosts', files: { 'pb.yaml': VALID, 'inv.yaml': 'all:\n  hosts:\n    "h[0:99999999]": {}\n' }, args: validate(), code: 5, says: /inv\.yaml:3:5: host range `\[0:99999999\]` stands for more than 100000 hosts/ },
  { name: 'two host ranges multiplying to a million hosts', files: { 'pb.yaml': VALID, 'inv.yaml': 'all:\n  hosts:\n    "h[0:999]-[0:999]": {}\n' }, args: validate(), code: 5, says: /inv\.yaml:3:5: host range .* stands for more than 100000 hosts/ },
  { name: 'an INI inventory with a range of 100 million hosts', files: { 'pb.yaml': VALID, 'inv.ini': '[web]\nh[0:99999999]\n' }, args: ['validate', 'pb.yaml', '-i', 'inv.ini'], code: 5, says: /inv\.ini:2:\d+: host range/ },
  { name: 'a sparse 3 GB playbook', files: { 'pb.yaml': { sparse: 3 * 1024 ** 3 }, 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml: is 3072 MiB, more than the 64 MiB/ },
  { name: 'a sparse 3 GB inventory', files: { 'pb.yaml': VALID, 'inv.yaml': { sparse: 3 * 1024 ** 3 } }, args: validate(), code: 5, says: /inv\.yaml: is 3072 MiB/ },
]

const ENCODING: HostileCase[] = [
  { name: 'invalid UTF-8 bytes in a playbook value', files: { 'pb.yaml': Buffer.concat([Buffer.from(play('    - debug: { msg: "')), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('" }\n')]), 'inv.yaml': INV }, args: run(), code: 0, says: /ok=1/ },
  { name: 'invalid UTF-8 in a key', files: { 'pb.yaml': Buffer.concat([Buffer.from('- hosts: all\n  '), Buffer.from([0xc0, 0xaf]), Buffer.from(': 1\n  tasks: []\n')]), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:2:3: unknown key `\uFFFD\uFFFD`/ },
  { name: 'a raw NUL byte in a path in a playbook file', files: { 'pb.yaml': Buffer.concat([Buffer.from('- hosts: all\n  tasks:\n    - file: { state: absent, path: /tmp/a'), Buffer.from([0]), Buffer.from('b }\n')]), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:3:\d+: `path` holds a NUL byte/ },
  { name: '64 KiB of random bytes as a playbook', files: { 'pb.yaml': Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 2654435761) % 251)), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:\d+:\d+/, never: RAW_CONTROL },
  { name: 'a playbook of NUL bytes only', files: { 'pb.yaml': Buffer.alloc(1000), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:1:\d+/, never: RAW_CONTROL },
  { name: 'escape sequences in a playbook\'s bad key are shown as text', files: { 'pb.yaml': '- hosts: all\n  "\\e[2J\\e[1;1Hok: all good": 1\n  tasks: []\n', 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:2:3: .*\\x1b\[2J/, never: RAW_CONTROL },
  { name: 'a BOM at the start of a playbook', files: { 'pb.yaml': `\uFEFF${VALID}`, 'inv.yaml': INV }, args: validate(), code: 0, says: /valid \(1 play, 1 task/ },
  { name: 'a BOM at the start of a YAML inventory', files: { 'pb.yaml': VALID, 'inv.yaml': `\uFEFF${INV}` }, args: ['inventory', '-i', 'inv.yaml', '--list'], code: 0, says: /"localhost"/, never: /\uFEFF/ },
  { name: 'a BOM at the start of an INI inventory', files: { 'pb.yaml': '- hosts: web\n  tasks: []\n', 'inv.ini': '\uFEFF[web]\nlocalhost ansible_connection=local\n' }, args: ['validate', 'pb.yaml', '-i', 'inv.ini'], code: 0, says: /valid/ },
  { name: 'a BOM at the start of a vars file', files: { 'pb.yaml': '- hosts: all\n  vars_files: [v.yaml]\n  tasks:\n    - debug: { msg: "{{ x }}" }\n', 'v.yaml': '\uFEFFx: 1\n', 'inv.yaml': INV }, args: validate(), code: 0, says: /valid/ },
  { name: 'a BOM at the start of an imported task file', files: { 'pb.yaml': play('    - import_tasks: more.yaml\n'), 'more.yaml': '\uFEFF- debug: { msg: hi }\n', 'inv.yaml': INV }, args: validate(), code: 0, says: /1 task/ },
  { name: 'a BOM at the start of an -e @file', files: { 'pb.yaml': play('    - debug: { msg: "{{ x }}" }\n'), 'e.yaml': '\uFEFFx: 1\n', 'inv.yaml': INV }, args: [...run(), '-e', '@e.yaml'], code: 0, says: /ok=1/ },
  { name: 'CRLF line endings', files: { 'pb.yaml': VALID.replaceAll('\n', '\r\n'), 'inv.yaml': INV }, args: validate(), code: 0, says: /valid/ },
]

const FILES: HostileCase[] = [
  { name: 'a playbook symlinked to /dev/zero', files: { 'pb.yaml': { symlink: '/dev/zero' }, 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml: is a character device, not a regular file/, limitMs: 15_000 },
  { name: 'a playbook that is a FIFO no one writes', files: { 'pb.yaml': { fifo: true }, 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml: is a FIFO/, limitMs: 15_000 },
  { name: 'an inventory symlinked to /dev/zero', files: { 'pb.yaml': VALID, 'inv.yaml': { symlink: '/dev/zero' } }, args: validate(), code: 5, says: /inv\.yaml: is a character device/, limitMs: 15_000 },
  { name: 'a vars file symlinked to /dev/urandom', files: { 'pb.yaml': '- hosts: all\n  vars_files: [v.yaml]\n  tasks: []\n', 'v.yaml': { symlink: '/dev/urandom' }, 'inv.yaml': INV }, args: validate(), code: 5, says: /is a character device/, limitMs: 15_000 },
  { name: 'an imported task file that is a FIFO', files: { 'pb.yaml': play('    - import_tasks: more.yaml\n'), 'more.yaml': { fifo: true }, 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:3:\d+: cannot read .*more\.yaml.*is a FIFO/, limitMs: 15_000 },
  { name: 'an -e @file symlinked to /dev/zero', files: { 'pb.yaml': VALID, 'e.yaml': { symlink: '/dev/zero' }, 'inv.yaml': INV }, args: [...run(), '-e', '@e.yaml'], code: 5, says: /is a character device/, limitMs: 15_000 },
  { name: 'a --limit @file that is a FIFO', files: { 'pb.yaml': VALID, 'hosts.txt': { fifo: true }, 'inv.yaml': INV }, args: [...run(), '--limit', '@hosts.txt'], code: 5, says: /FIFO/, limitMs: 15_000 },
  { name: 'a copy src symlinked to /dev/zero', files: { 'pb.yaml': play('    - copy: { src: z, dest: /tmp/tend-hostile-z }\n'), 'files/z': { symlink: '/dev/zero' }, 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:3:\d+: copy: cannot read .*is a character device/, limitMs: 15_000 },
  { name: 'a playbook symlinked to a regular file, accepted', files: { 'real.yaml': VALID, 'pb.yaml': { symlink: 'real.yaml' }, 'inv.yaml': INV }, args: validate(), code: 0, says: /valid/ },
  { name: 'a dangling playbook symlink', files: { 'pb.yaml': { symlink: 'nowhere.yaml' }, 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml: file not found/ },
  { name: 'a symlink loop as the playbook', files: { 'pb.yaml': { symlink: 'b.yaml' }, 'b.yaml': { symlink: 'pb.yaml' }, 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml: .*(ELOOP|symbolic links)/ },
  { name: 'a directory as the playbook', files: { 'pb.yaml/x': 'x', 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml: is a directory/ },
  { name: 'an include cycle through symlinks', files: { 'pb.yaml': play('    - import_tasks: a.yaml\n'), 'a.yaml': '- import_tasks: b.yaml\n', 'b.yaml': { symlink: 'a.yaml' }, 'inv.yaml': INV }, args: validate(), code: 5, says: /include cycle/ },
  { name: 'a playbook importing itself', files: { 'pb.yaml': '- import_playbook: pb.yaml\n', 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:1:\d+: .*(cycle|itself)/ },
]

const NAMES: HostileCase[] = [
  { name: 'an inventory host named ../../../../etc/passwd', files: { 'pb.yaml': VALID, 'inv.yaml': 'all:\n  hosts:\n    "../../../../etc/passwd": {}\n' }, args: validate(), code: 5, says: /inv\.yaml:3:5: inventory host name `\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd` holds `\/`/ },
  { name: 'an inventory group named a/b', files: { 'pb.yaml': VALID, 'inv.yaml': 'all:\n  children:\n    "a/b":\n      hosts: { h: {} }\n' }, args: validate(), code: 5, says: /inv\.yaml:3:5: inventory group name `a\/b` holds `\/`/ },
  { name: 'an inventory host holding NUL', files: { 'pb.yaml': VALID, 'inv.yaml': 'all:\n  hosts:\n    "h\\0x": {}\n' }, args: validate(), code: 5, says: /inv\.yaml:3:5: inventory host name `h\\u0000x` holds a NUL byte/ },
  { name: 'an inventory host named ..', files: { 'pb.yaml': VALID, 'inv.yaml': 'all:\n  hosts:\n    "..": {}\n' }, args: validate(), code: 5, says: /inv\.yaml:3:5: inventory host name `\.\.` holds `\.\.`/ },
  { name: 'an INI section named ../x', files: { 'pb.yaml': VALID, 'inv.ini': '[../x]\nlocalhost\n' }, args: ['validate', 'pb.yaml', '-i', 'inv.ini'], code: 5, says: /inv\.ini:1:2: inventory group name `\.\.\/x`/ },
  { name: 'an INI host with a slash', files: { 'pb.yaml': VALID, 'inv.ini': '[web]\nweb/1 ansible_connection=local\n' }, args: ['validate', 'pb.yaml', '-i', 'inv.ini'], code: 5, says: /inv\.ini:2:1: inventory host name `web\/1`/ },
  { name: 'an inventory script printing a host with ../', files: { 'pb.yaml': VALID, 'inv.sh': { script: '#!/bin/sh\necho \'{"web": {"hosts": ["../../secret"]}, "_meta": {"hostvars": {}}}\'\n' } }, args: ['validate', 'pb.yaml', '-i', 'inv.sh'], code: 5, says: /inv\.sh: inventory host name `\.\.\/\.\.\/secret` holds `\/` \(printed by the inventory script\)/ },
  { name: 'an inventory script printing a group with ..', files: { 'pb.yaml': VALID, 'inv.sh': { script: '#!/bin/sh\necho \'{"..": {"hosts": ["h"]}}\'\n' } }, args: ['validate', 'pb.yaml', '-i', 'inv.sh'], code: 5, says: /inv\.sh: inventory group name `\.\.`/ },
  { name: 'an inventory script printing binary garbage', files: { 'pb.yaml': VALID, 'inv.sh': { script: '#!/bin/sh\nhead -c 4096 /dev/urandom\n' } }, args: ['validate', 'pb.yaml', '-i', 'inv.sh'], code: 5, says: /inv\.sh: inventory script printed no JSON/, never: RAW_CONTROL },
  { name: 'a host name with escape sequences is listed as text', files: { 'pb.yaml': VALID, 'inv.yaml': 'all:\n  hosts:\n    "\\e[2Jevil": { ansible_connection: local }\n' }, args: ['run', 'pb.yaml', '-i', 'inv.yaml'], code: 0, says: /\[\\x1b\[2Jevil\]/, never: RAW_CONTROL },
  { name: 'a host name with escape sequences in tend inventory --graph', files: { 'pb.yaml': VALID, 'inv.yaml': 'all:\n  hosts:\n    "\\e]0;pwned\\aevil": {}\n' }, args: ['inventory', '-i', 'inv.yaml', '--graph'], code: 0, says: /\\x1b\]0;pwned\\x07evil/, never: RAW_CONTROL },
  { name: 'host_vars of a host named like a path are never read', files: { 'pb.yaml': VALID, 'inv/hosts.yaml': 'all:\n  hosts:\n    "../../secret": {}\n', 'secret.yaml': 'leak: SECRET-VALUE\n' }, args: ['inventory', '-i', 'inv', '--list'], code: 5, says: /inventory host name/, never: /SECRET-VALUE/ },
]

const NUL: HostileCase[] = [
  { name: 'NUL in a file path (YAML)', files: { 'pb.yaml': play('    - file: { path: "/tmp/tend-hostile-a\\0b", state: absent }\n'), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:3:21: `path` holds a NUL byte/ },
  { name: 'NUL in a command (k=v)', files: { 'pb.yaml': play('    - command: "touch /tmp/tend-hostile\\0x"\n'), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:3:16: `argv\.1` holds a NUL byte/ },
  { name: 'NUL in a command argv list', files: { 'pb.yaml': play('    - command: { argv: [touch, "/tmp/a\\x00b"] }\n'), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:3:\d+: `argv\.1` holds a NUL byte/ },
  { name: 'NUL in a template dest', files: { 'pb.yaml': play('    - template: { src: t.j2, dest: "/tmp/x\\0y" }\n'), 'templates/t.j2': 'x\n', 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:3:\d+: `dest` holds a NUL byte/ },
  { name: 'NUL in a path after templating: the task fails, nothing is written', files: { 'pb.yaml': '- hosts: all\n  vars: { p: "/tmp/tend-hostile-nul\\0x" }\n  tasks:\n    - file: { path: "{{ p }}", state: absent }\n', 'inv.yaml': INV }, args: run(), code: 2, says: /pb\.yaml:4:\d+: after templating, `path` holds a NUL byte/ },
  { name: 'NUL from an -e @file, after templating', files: { 'pb.yaml': play('    - command: { argv: [touch, "{{ p }}"] }\n'), 'e.json': '{"p": "/tmp/tend-hostile-e\\u0000x"}', 'inv.yaml': INV }, args: [...run(), '-e', '@e.json'], code: 2, says: /after templating, `argv\.1` holds a NUL byte/ },
  { name: 'NUL in copy content is data, accepted', files: { 'pb.yaml': play('    - copy: { dest: /tmp/tend-hostile-content, content: "a\\0b" }\n'), 'inv.yaml': INV }, args: validate(), code: 0, says: /valid/ },
  { name: 'NUL in a debug message is shown as \\x00', files: { 'pb.yaml': play('    - debug: { msg: "a\\0b" }\n'), 'inv.yaml': INV }, args: run(), code: 0, says: /a\\x00b/, never: RAW_CONTROL },
]

const TIMERS: HostileCase[] = [
  { name: 'a task timeout of 29 days', files: { 'pb.yaml': play('    - command: echo hi\n      timeout: 2500000\n'), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:4:16: `timeout`: 2500000 s is longer than a timer can wait/ },
  { name: 'a timeout of .inf', files: { 'pb.yaml': play('    - command: echo hi\n      timeout: .inf\n'), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:4:16: `timeout`: Infinity s is not a finite number/ },
  { name: 'a timeout of 1e400', files: { 'pb.yaml': play('    - command: echo hi\n      timeout: 1e400\n'), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:4:16: `timeout`/ },
  { name: 'a wait_for timeout of 35 days', files: { 'pb.yaml': play('    - wait_for: { port: 1, timeout: 3000000 }\n'), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:3:37: `timeout`: 3000000 s/ },
  { name: 'an http within of 10^10 s', files: { 'pb.yaml': play('    - http: { url: "http://127.0.0.1:1/", within: 1e10 }\n'), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:3:\d+: `within`/ },
  { name: 'a block timeout past the bound', files: { 'pb.yaml': play('    - block: [{ debug: { msg: x } }]\n      timeout: 2147484\n'), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:4:16: `timeout`: 2147484 s/ },
  { name: 'an until delay of 1000 days', files: { 'pb.yaml': play('    - command: echo hi\n      until: "false"\n      delay: 86400000\n'), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:5:14: `delay`/ },
  { name: 'a loop pause of 10^10 s', files: { 'pb.yaml': play('    - debug: { msg: x }\n      loop: [1]\n      loop_control: { pause: 1e10 }\n'), 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:5:30: `loop_control\.pause`/ },
  { name: 'a rollout pause of 3 years', files: { 'pb.yaml': '- hosts: all\n  rollout: { pause: 99999999 }\n  tasks: []\n', 'inv.yaml': INV }, args: validate(), code: 5, says: /pb\.yaml:2:21: `rollout\.pause`/ },
  { name: 'a timeout of 2147483 s (just under the bound) is accepted', files: { 'pb.yaml': play('    - command: echo hi\n      timeout: 2147483\n'), 'inv.yaml': INV }, args: validate(), code: 0, says: /valid/ },
  { name: 'a templated timeout past the bound fails its task at run time', files: { 'pb.yaml': '- hosts: all\n  vars: { t: 3000000 }\n  tasks:\n    - wait_for: { port: 1, timeout: "{{ t }}" }\n', 'inv.yaml': INV }, args: run(), code: 2, says: /pb\.yaml:4:\d+: after templating, `timeout`: 3000000 s/ },
  { name: '--step-timeout of 30 days', files: { 'pb.yaml': VALID, 'inv.yaml': INV }, args: run('--step-timeout', '2592000'), code: 5, says: /--step-timeout.*2592000 s is longer than a timer can wait/ },
  { name: 'watch --every 30d', files: { 'pb.yaml': VALID, 'inv.yaml': INV }, args: ['watch', 'pb.yaml', '-i', 'inv.yaml', '--every', '30d'], code: 5, says: /--every.*30d is longer than a timer can wait/ },
  { name: '--wait-lock of 10^9 s', files: { 'pb.yaml': VALID, 'inv.yaml': INV }, args: run('--wait-lock', '1e9'), code: 5, says: /--wait-lock/ },
]

const OUTPUT: HostileCase[] = [
  { name: '100 MB of command output: kept to the 10 MiB cap, the result says so', files: { 'pb.yaml': play('    - command: sh -c \'head -c 104857600 /dev/zero | tr "\\\\0" x\'\n      register: out\n    - debug: { msg: "{{ out.stdout | length }} truncated={{ out.stdout_truncated }}" }\n'), 'inv.yaml': INV }, args: run(), code: 0, says: /94371840 bytes past the output cap[\s\S]*10485760 truncated=True/, limitMs: 30_000 },
  { name: '--output-cap 1k', files: { 'pb.yaml': play('    - command: sh -c \'head -c 1048576 /dev/zero | tr "\\\\0" y\'\n      register: out\n    - debug: { msg: "{{ out.stdout | length }}" }\n'), 'inv.yaml': INV }, args: run('--output-cap', '1k'), code: 0, says: /1047552 bytes past the output cap of 1024 bytes[\s\S]*— 1024\n/ },
  { name: 'TEND_OUTPUT_CAP that is not a size', files: { 'pb.yaml': VALID, 'inv.yaml': INV }, env: { TEND_OUTPUT_CAP: 'lots' }, args: run(), code: 5, says: /TEND_OUTPUT_CAP="lots" is not a size/ },
  { name: '--output-cap 0', files: { 'pb.yaml': VALID, 'inv.yaml': INV }, args: run('--output-cap', '0'), code: 5, says: /--output-cap/ },
  { name: 'binary command output (1 MB of random bytes), plain', files: { 'pb.yaml': play('    - command: head -c 1048576 /dev/urandom\n      register: out\n    - debug: { var: out.rc }\n'), 'inv.yaml': INV }, args: run(), code: 0, says: /ok=2/, never: RAW_CONTROL },
  { name: 'binary command output with -vvv is shown escaped', files: { 'pb.yaml': play('    - command: head -c 65536 /dev/urandom\n'), 'inv.yaml': INV }, args: run('-vvv'), code: 0, says: /stdout:/, never: RAW_CONTROL },
  { name: 'binary command output in --json: every line is JSON', files: { 'pb.yaml': play('    - command: head -c 16384 /dev/urandom\n      register: out\n'), 'inv.yaml': INV }, args: run('--json'), code: 0, says: /"type":"run-end"/, check: everyLineJson },
  { name: 'invalid UTF-8 command output', files: { 'pb.yaml': play('    - command: printf "\\\\377\\\\376\\\\303("\n      register: out\n    - debug: { msg: "{{ out.stdout | length }}" }\n'), 'inv.yaml': INV }, args: run(), code: 0, says: /— 4\n/ },
  { name: 'a failure repainted as ok by escape sequences stays a failure', files: { 'pb.yaml': play('    - command: { argv: [sh, -c, "printf \'\\\\033[1A\\\\033[2K\\\\rok: [localhost] fine\' >&2; exit 1"] }\n'), 'inv.yaml': INV }, args: run(), code: 2, says: /failed: \[localhost\].*\\x1b\[1A\\x1b\[2K\\x0dok: \[localhost\] fine/, never: RAW_CONTROL },
  { name: '100 MB of stderr from a failing command: the failure message is bounded', files: { 'pb.yaml': play('    - command: sh -c \'head -c 104857600 /dev/zero | tr "\\\\0" e >&2; exit 3\'\n'), 'inv.yaml': INV }, args: run('--output-cap', '64k'), code: 2, says: /non-zero exit 3[\s\S]*stderr: 104792064 bytes past the output cap of 65536 bytes/, limitMs: 30_000 },
]

/** Inputs tend reads: playbooks, task and vars files, inventories (hostile-inputs.test.ts). */
export const READ_CASES: readonly HostileCase[] = [...YAML_BOMBS, ...HUGE, ...ENCODING, ...FILES, ...NAMES]
/** What a task carries and what a command prints (hostile-runs.test.ts). */
export const RUN_CASES: readonly HostileCase[] = [...NUL, ...TIMERS, ...OUTPUT]
