import type { FromSchema } from 'json-schema-to-ts'
import { ProbeError } from '../errors.js'
import type { Change, Module, ModuleContext } from './types.js'
import type { RouteAnswer } from './http/request.js'
import { askRoute, targetOf } from './http/request.js'
import { compileLinear, type LinearRegex } from '../template/linear-regex.js'

const STATUS = {
  anyOf: [
    { type: 'integer', minimum: 100, maximum: 599 },
    { type: 'array', minItems: 1, items: { type: 'integer', minimum: 100, maximum: 599 } },
  ],
  description: 'The status every route must answer (after redirects followed), or a list of acceptable ones.',
} as const
const CONTAINS = { type: 'string', minLength: 1, description: 'Text the final body must contain (a page served by the wrong code can fail the gate).' } as const
const MATCHES = { type: 'string', minLength: 1, description: 'A regular expression (JavaScript syntax) the final body must match.' } as const

const httpSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: {
      type: 'string',
      pattern: '^http://[^/?#]+(/[^?#]*)?$',
      description: 'Base URL as seen from the host itself, e.g. http://127.0.0.1:8000 (http only; its path prefixes every route).',
    },
    routes: {
      type: 'array',
      minItems: 1,
      items: {
        anyOf: [
          { type: 'string', pattern: '^/' },
          {
            type: 'object',
            additionalProperties: false,
            required: ['path'],
            properties: {
              path: { type: 'string', pattern: '^/', description: 'The path to GET, starting with "/".' },
              status: STATUS,
              contains: CONTAINS,
              matches: MATCHES,
            },
          },
        ],
      },
      default: ['/'],
      description: 'Paths to GET, each starting with "/", or {path, status, contains, matches} to check one route differently.',
    },
    status: { ...STATUS, default: 200 },
    contains: CONTAINS,
    matches: MATCHES,
    follow_redirects: {
      type: 'string',
      enum: ['none', 'safe', 'all'],
      default: 'safe',
      description: 'none: a redirect is the answer; safe (as Ansible uri): follow redirects within the same host and port; all: follow any http redirect. At most 10.',
    },
    timeout: { type: 'number', exclusiveMinimum: 0, default: 5, description: 'Seconds one request may take (connect + answer).' },
    within: { type: 'number', minimum: 0, default: 30, description: 'Seconds to keep polling until every route answers as expected.' },
  },
} as const

export type HttpSpec = FromSchema<typeof httpSchema, { keepDefaultedPropertiesOptional: true }>

/** A route that does not answer as declared; a gate's "change" is a problem to report. */
export interface RouteProblem extends Change {
  readonly action: 'answer'
  readonly route: string
}

/**
 * Routes asked at once. More is not faster: a burst of connects overflows a small listen backlog
 * (Python's http.server keeps 5) and the dropped SYNs cost a 1 s retransmit (measured: 10 at once
 * took 1 s, 4 at once 0.1 s, for the incident's ten routes).
 */
const PARALLEL = 4

async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/** One route with the checks that apply to it: its own, else the task's. */
export interface RouteCheck {
  readonly path: string
  readonly status: readonly number[]
  readonly contains: string | undefined
  readonly matches: string | undefined
}

export function routeChecks(spec: HttpSpec): RouteCheck[] {
  return (spec.routes ?? ['/']).map((route) => {
    const own = typeof route === 'string' ? { path: route } : route
    return {
      path: own.path,
      status: [own.status ?? spec.status ?? 200].flat(),
      contains: own.contains ?? spec.contains,
      matches: own.matches ?? spec.matches,
    }
  })
}

function compile(pattern: string): LinearRegex {
  try {
    return compileLinear(pattern)
  } catch (err) {
    throw new ProbeError(`matches: ${(err as Error).message}`)
  }
}

/** One round: every route asked once, from the host's own network view. */
async function probe(ctx: ModuleContext, spec: HttpSpec): Promise<RouteAnswer[]> {
  const checks = routeChecks(spec)
  for (const check of checks) if (check.matches !== undefined) compile(check.matches)
  const target = targetOf(spec.url)
  const timeout = spec.timeout ?? 5
  const follow = spec.follow_redirects ?? 'safe'
  return inParallel(checks, PARALLEL, (check) => askRoute(ctx, target, check.path, timeout, follow))
}

/** A body as a failure shows it: JSON-quoted (control characters escaped), at most BODY_SHOWN chars. */
const BODY_SHOWN = 200
export function shownBody(body: string): string {
  const cut = body.length > BODY_SHOWN ? `${body.slice(0, BODY_SHOWN)}…` : body
  return JSON.stringify(cut)
}

/** `/old 302 → /new 404`, with why a redirect was not followed. */
function chainOf(answer: RouteAnswer): string {
  if (answer.hops.length === 0) return ''
  const last = answer.hops.at(-1)
  const stopped = answer.outcome === 'status' && answer.stopped !== undefined ? ` → ${last?.location ?? '?'} (${answer.stopped})` : ''
  return answer.hops.length < 2 && stopped === '' ? '' : ` (redirects: ${answer.hops.map((h) => `${h.at} ${h.status}`).join(' → ')}${stopped})`
}

function problemOf(answer: RouteAnswer, check: RouteCheck): RouteProblem | undefined {
  const { route } = answer
  const fail = (what: string): RouteProblem => ({ action: 'answer', route, summary: `${route} ${what}${chainOf(answer)}` })
  if (answer.outcome === 'error') return fail(answer.error)
  if (!check.status.includes(answer.status)) return fail(`answered ${answer.status}, expected ${check.status.join(' or ')}`)
  if (check.contains !== undefined && !answer.body.includes(check.contains)) {
    return fail(`body does not contain ${JSON.stringify(check.contains)}: ${shownBody(answer.body)}`)
  }
  if (check.matches !== undefined && !compile(check.matches).test(answer.body)) {
    return fail(`body does not match /${check.matches}/: ${shownBody(answer.body)}`)
  }
  return undefined
}

function diff(spec: HttpSpec, answers: readonly RouteAnswer[]): readonly RouteProblem[] {
  const checks = routeChecks(spec)
  return answers.flatMap((answer, i) => problemOf(answer, checks[i] as RouteCheck) ?? [])
}

function facts(answers: readonly RouteAnswer[]): Readonly<Record<string, unknown>> {
  const status = Object.fromEntries(answers.map((a) => [a.route, a.outcome === 'status' ? a.status : null]))
  const errors = Object.fromEntries(answers.flatMap((a) => (a.outcome === 'error' ? [[a.route, a.error]] : [])))
  return { status, errors }
}

export const http: Module<HttpSpec, RouteAnswer[], RouteProblem> = {
  kind: 'http',
  schema: httpSchema,
  description: 'A gate: every route of the URL, requested from the host itself (redirects followed per follow_redirects), answers the expected status and body within `within` seconds.',
  probe,
  // Its requests go through the connection, not a command: they start alongside the batch.
  probeAhead: () => ({ whole: true }),
  diff,
  facts,
  pollSeconds: (spec) => spec.within ?? 30,
}
