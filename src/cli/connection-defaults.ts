/**
 * -u/--user, --private-key, -b/--become, --become-user: defaults for every host, as in
 * ansible-playbook, where the inventory's ansible_user, ansible_ssh_private_key_file and
 * ansible_become (and the playbook's become) still win.
 */
import type { Inventory, InventoryHost } from '../playbook/model.js'

export interface ConnectionDefaults {
  readonly user?: string
  readonly privateKey?: string
  readonly become?: boolean
  readonly becomeUser?: string
}

function withDefaults(host: InventoryHost, d: ConnectionDefaults): InventoryHost {
  const vars: Record<string, unknown> = { ...host.vars }
  if (d.user !== undefined) vars.ansible_user ??= d.user
  if (d.privateKey !== undefined) vars.ansible_ssh_private_key_file ??= d.privateKey
  if (d.become === true) vars.ansible_become ??= true
  if (d.becomeUser !== undefined) vars.ansible_become_user ??= d.becomeUser
  const c = host.connection
  const connection = c.kind === 'local' ? c : {
    ...c,
    ...(c.user === undefined && d.user !== undefined ? { user: d.user } : {}),
    ...(c.keyFile === undefined && d.privateKey !== undefined ? { keyFile: d.privateKey } : {}),
  }
  return { ...host, vars, connection }
}

export function applyConnectionDefaults(inventory: Inventory, d: ConnectionDefaults): Inventory {
  if (d.user === undefined && d.privateKey === undefined && d.become !== true && d.becomeUser === undefined) return inventory
  const hosts = new Map([...inventory.hosts].map(([name, host]) => [name, withDefaults(host, d)]))
  return { ...inventory, hosts }
}
