import { existsSync } from 'node:fs'
import { must, run } from './exec.js'

/** All testbeds share one bridge on the machine; hosts get 10.77.0.(10+index). */
export const BRIDGE = 'tend0'
export const BRIDGE_ADDRESS = '10.77.0.1'
export const addressOf = (index: number): string => `10.77.0.${10 + index}`
/** Outer veth end; interface names are limited to 15 characters, so it carries the index, not the name. */
export const vethOf = (index: number): string => `tendv${index}`

/**
 * A bridge without a MAC of its own takes the lowest MAC of its ports, so it changes whenever a
 * host is added; hosts that already resolved 10.77.0.1 then answer to the old MAC until their ARP
 * entry expires (boots stalled for 35-40 s). A fixed, locally administered MAC avoids that.
 */
const BRIDGE_MAC = '02:77:00:00:00:01'

async function ensureBridge(): Promise<void> {
  const shown = await run(['ip', '-o', 'link', 'show', BRIDGE])
  if (shown.exitCode === 0) {
    if (!shown.stdout.includes(BRIDGE_MAC)) await must(['ip', 'link', 'set', BRIDGE, 'address', BRIDGE_MAC])
    return
  }
  const added = await run(['ip', 'link', 'add', BRIDGE, 'type', 'bridge'])
  // Two testbeds booting at once may race here; the loser finds the bridge made.
  if (added.exitCode !== 0 && (await run(['ip', 'link', 'show', BRIDGE])).exitCode !== 0) {
    throw new Error(`cannot create bridge ${BRIDGE}: ${added.stderr.trim()}`)
  }
  await run(['ip', 'link', 'set', BRIDGE, 'address', BRIDGE_MAC])
  await run(['ip', 'addr', 'add', `${BRIDGE_ADDRESS}/24`, 'dev', BRIDGE])
  await must(['ip', 'link', 'set', BRIDGE, 'up'])
}

/** Namespace NAME with eth0 (the host's address) wired to the bridge, configured before boot.
 *  No default route: hosts talk to the machine's bridge address and to each other, nothing else. */
export async function createNetwork(name: string, index: number): Promise<void> {
  await ensureBridge()
  const veth = vethOf(index)
  await must(['ip', 'netns', 'add', name])
  await must(['ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name])
  await must(['ip', 'link', 'set', veth, 'master', BRIDGE, 'up'])
  const inNs = ['ip', 'netns', 'exec', name, 'ip']
  await must([...inNs, 'addr', 'add', `${addressOf(index)}/24`, 'dev', 'eth0'])
  await must([...inNs, 'link', 'set', 'eth0', 'up'])
  await must([...inNs, 'link', 'set', 'lo', 'up'])
  await forgetNeighbour(index)
}

/**
 * The machine's ARP entry for a reused address still names the previous host's MAC; until it
 * expires (15-45 s, then 5 s delay) packets to the new host are lost. Forget it.
 */
async function forgetNeighbour(index: number): Promise<void> {
  await run(['ip', 'neigh', 'flush', 'to', addressOf(index), 'dev', BRIDGE])
}

export async function deleteNetwork(name: string, index: number): Promise<void> {
  if (existsSync(`/run/netns/${name}`)) await must(['ip', 'netns', 'del', name])
  // The veth pair dies with its namespace, but an interrupted boot may have left the outer end alone.
  await run(['ip', 'link', 'del', vethOf(index)])
  await forgetNeighbour(index)
}

/** Removes the bridge once no host's veth is attached to it any more. */
export async function deleteBridgeIfUnused(): Promise<void> {
  const shown = await run(['ip', '-o', 'link', 'show', 'master', BRIDGE])
  if (shown.exitCode === 0 && shown.stdout.trim() === '') await run(['ip', 'link', 'del', BRIDGE])
}
