import type { BatchSize } from '../playbook/model.js'

/** One batch size resolved against the play's host count: percentages floor, but never below 1. */
function sizeOf(size: BatchSize, hostCount: number): number {
  const count = typeof size === 'number' ? size : Math.floor((hostCount * Number.parseFloat(size)) / 100)
  return Math.max(1, Math.floor(count))
}

/**
 * Splits a play's hosts into batches per `serial` (Ansible): sizes are taken in turn and the last
 * one repeats; an empty serial (or 0) is one batch of every host.
 */
export function batchesOf(hosts: readonly string[], serial: readonly BatchSize[]): readonly (readonly string[])[] {
  if (hosts.length === 0) return []
  if (serial.length === 0 || serial.every((s) => s === 0)) return [hosts]
  const batches: string[][] = []
  let start = 0
  for (let i = 0; start < hosts.length; i++) {
    const size = sizeOf(serial[Math.min(i, serial.length - 1)] as BatchSize, hosts.length)
    batches.push(hosts.slice(start, start + size))
    start += size
  }
  return batches
}
