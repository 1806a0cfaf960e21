let lastYield = Date.now()

/**
 * Gives the event loop a turn at most every 50 ms, so a long run of work that never waits on I/O
 * (20,000 debug tasks, a loop of set_fact) still hears SIGINT and SIGTERM: promises alone only
 * ever run microtasks, and a signal handler is a macrotask.
 */
export async function yieldToEventLoop(): Promise<void> {
  if (Date.now() - lastYield < 50) return
  lastYield = Date.now()
  await new Promise((resolve) => setImmediate(resolve))
}
