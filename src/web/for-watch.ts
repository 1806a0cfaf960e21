/**
 * The fleet page as `tend watch` mounts it on its --metrics listener: its own read-only
 * connection to the watch's state store (the watch writes through another), and the watch's
 * schedule as the live provider. `close()` lets go of all three.
 */
import { StateStore } from '../state/store.js'
import { createFleetPage, type FleetPage } from './handler.js'
import { liveFromSchedule, type ScheduleLike } from './schedule-live.js'

export interface WatchPageOptions {
  /** The watch's state dir; its store must exist already (the watch opens it first). */
  readonly stateDir: string
  readonly schedule: ScheduleLike
  /** A host's inventory groups (search by group). */
  readonly groupsOf?: (host: string) => readonly string[]
}

export function fleetPageForWatch(options: WatchPageOptions): FleetPage {
  const store = StateStore.open(options.stateDir, { readonly: true })
  const live = liveFromSchedule(options.schedule, options.groupsOf)
  const page = createFleetPage({ store, live, stateDir: options.stateDir })
  const closePage = page.close
  page.close = () => {
    closePage()
    live.dispose()
    store.close()
  }
  return page
}
