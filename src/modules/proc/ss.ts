/**
 * Parses `ss -ltnpH` (iproute2) listening TCP sockets, IPv4 and IPv6:
 *   LISTEN 0 5 0.0.0.0:8000 0.0.0.0:* users:(("python3",pid=1234,fd=3))
 *   LISTEN 0 4096 [::]:8000 [::]:* users:(("app",pid=7,fd=4),("app",pid=8,fd=4))
 *   LISTEN 0 128 127.0.0.1%lo:53 0.0.0.0:*
 * A process name is chosen by the process (up to 15 bytes) and may contain `",pid=`: callers
 * check each parsed name against /proc/<pid>/stat (holderNameMatches) before trusting the pid.
 */
export interface SocketHolder {
  readonly name: string
  readonly pid: number
  readonly fd: number
}

export interface ListeningSocket {
  /** Local address as printed, without the port: `0.0.0.0`, `[::]`, `*`, `127.0.0.1%lo`. */
  readonly address: string
  readonly port: number
  readonly holders: readonly SocketHolder[]
}

export function parseSsListeners(text: string): ListeningSocket[] {
  const sockets: ListeningSocket[] = []
  for (const line of text.split('\n')) {
    const socket = parseLine(line)
    if (socket !== undefined) sockets.push(socket)
  }
  return sockets
}

function parseLine(line: string): ListeningSocket | undefined {
  const fields = line.trim().split(/\s+/)
  // State Recv-Q Send-Q Local Peer [Process]; -H drops the header, -l shows only LISTEN.
  if (fields.length < 5 || fields[0] !== 'LISTEN') return undefined
  const local = fields[3] ?? ''
  const colon = local.lastIndexOf(':')
  const port = Number(local.slice(colon + 1))
  if (colon <= 0 || !Number.isInteger(port)) return undefined
  const usersAt = line.indexOf('users:((')
  return {
    address: local.slice(0, colon),
    port,
    holders: usersAt < 0 ? [] : parseUsers(line.slice(usersAt + 'users:('.length)),
  }
}

/**
 * `("name",pid=N,fd=M),("name",pid=N,fd=M))`. ss reads the name with `%[^)]`, so a name never
 * contains `)`: splitting on `)` yields one entry per piece, and the pid and fd are the last
 * `",pid=N,fd=M` of the piece however odd the name is.
 */
function parseUsers(text: string): SocketHolder[] {
  const holders: SocketHolder[] = []
  for (const piece of text.split(')')) {
    const match = /^,?\("(.*)",pid=(\d+),fd=(\d+)$/s.exec(piece)
    if (match !== null) holders.push({ name: match[1] ?? '', pid: Number(match[2]), fd: Number(match[3]) })
  }
  return holders
}

/** Whether ss's name for a holder agrees with /proc/<pid>/stat's comm (ss stops at the first `)`). */
export function holderNameMatches(ssName: string, comm: string): boolean {
  return comm.split(')')[0] === ssName
}
