import type { FromSchema } from 'json-schema-to-ts'
import type { Change, Module, ModuleContext } from './types.js'
import type { RouteAnswer } from './http/request.js'
import { askRoute, targetOf } from './http/request.js'

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
      items: { type: 'string', pattern: '^/' },
      default: ['/'],
      description: 'Paths to GET, each starting with "/".',
    },
    status: {
      anyOf: [
        { type: 'integer', minimum: 100, maximum: 599 },
        { type: 'array', minItems: 1, items: { type: 'integer', minimum: 100, maximum: 599 } },
      ],
      default: 200,
      description: 'The status every route must answer, or a list of acceptable ones.',
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

const expectedOf = (spec: HttpSpec): readonly number[] => [spec.status ?? 200].flat()

/** One round: every route asked once, from the host's own network view. */
function probe(ctx: ModuleContext, spec: HttpSpec): Promise<RouteAnswer[]> {
  const target = targetOf(spec.url)
  const timeout = spec.timeout ?? 5
  return inParallel(spec.routes ?? ['/'], PARALLEL, (route) => askRoute(ctx.transport, target, route, timeout, ctx.signal))
}

function problemOf(answer: RouteAnswer, expected: readonly number[]): RouteProblem | undefined {
  const { route } = answer
  if (answer.outcome === 'error') return { action: 'answer', route, summary: `${route} ${answer.error}` }
  if (expected.includes(answer.status)) return undefined
  return { action: 'answer', route, summary: `${route} answered ${answer.status}, expected ${expected.join(' or ')}` }
}

function diff(spec: HttpSpec, answers: readonly RouteAnswer[]): readonly RouteProblem[] {
  const expected = expectedOf(spec)
  return answers.flatMap((answer) => problemOf(answer, expected) ?? [])
}

function facts(answers: readonly RouteAnswer[]): Readonly<Record<string, unknown>> {
  const status = Object.fromEntries(answers.map((a) => [a.route, a.outcome === 'status' ? a.status : null]))
  const errors = Object.fromEntries(answers.flatMap((a) => (a.outcome === 'error' ? [[a.route, a.error]] : [])))
  return { status, errors }
}

export const http: Module<HttpSpec, RouteAnswer[], RouteProblem> = {
  kind: 'http',
  schema: httpSchema,
  description: 'A gate: every route of the URL, requested from the host itself, answers the expected status within `within` seconds.',
  probe,
  diff,
  facts,
  pollSeconds: (spec) => spec.within ?? 30,
}
