import type { AnyModule } from './types.js'
import { command, shell } from './command.js'
import { http } from './http.js'
import { file } from './file.js'
import { template } from './template.js'
import { port } from './port.js'
import { unit } from './unit.js'
import { stable } from './stable.js'
import { journal } from './journal.js'
import { fresh } from './fresh.js'
import { assertModule, debug, fail, meta, pause, setFact } from './actions.js'
import { waitFor } from './wait-for.js'
import { facts } from './facts.js'
import { stat } from './stat.js'
import { daemonReload } from './daemon-reload.js'

/**
 * Every module tend knows, listed explicitly: no registration by side effect.
 * `shorthand` names the property a scalar or list value stands for (`command: [ls, -l]` is
 * `command: {argv: [ls, -l]}`); the playbook loader applies it before validation.
 */
export interface ModuleEntry {
  readonly module: AnyModule
  readonly shorthand?: string
}

export const modules: Readonly<Record<string, ModuleEntry>> = {
  command: { module: command as AnyModule, shorthand: 'argv' },
  shell: { module: shell as AnyModule, shorthand: 'cmd' },
  http: { module: http as AnyModule, shorthand: 'url' },
  file: { module: file as AnyModule },
  template: { module: template as AnyModule },
  port: { module: port as AnyModule },
  unit: { module: unit as AnyModule, shorthand: 'name' },
  stable: { module: stable as AnyModule },
  journal: { module: journal as AnyModule },
  fresh: { module: fresh as AnyModule },
  wait_for: { module: waitFor as AnyModule },
  facts: { module: facts as AnyModule },
  stat: { module: stat as AnyModule },
  daemon_reload: { module: daemonReload as AnyModule },
  // Controller-side (engine/actions.ts), from Ansible.
  debug: { module: debug, shorthand: 'msg' },
  set_fact: { module: setFact },
  assert: { module: assertModule, shorthand: 'that' },
  fail: { module: fail, shorthand: 'msg' },
  meta: { module: meta, shorthand: 'free_form' },
  pause: { module: pause },
}
