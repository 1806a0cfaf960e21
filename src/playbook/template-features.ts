/**
 * The migration check for templates: Ansible filters, tests and lookups tend's Jinja does not
 * have, found in the template's syntax tree before anything runs (rendering would only fail on the
 * first host that reaches it).
 */
import { hasTemplateFeature } from './template.js'
import { parseTemplate } from './template-vars.js'

interface Node {
  readonly typename: string
  readonly fields?: readonly string[]
  readonly children?: readonly Node[]
  readonly [field: string]: unknown
}

const isNode = (v: unknown): v is Node => v !== null && typeof v === 'object' && typeof (v as Node).typename === 'string'

const has = hasTemplateFeature

const LOOKUPS = new Set(['lookup', 'query', 'q'])

/** What to say about a missing filter or test, with a hint where tend has a way. */
const INSTEAD: Readonly<Record<string, string>> = {
  combine: 'merge the mappings in `vars` instead',
  items2dict: 'build the mapping in `vars`',
  selectattr: 'filter the list with `when:` on a loop',
  map: 'loop over the list and register the results',
  to_yaml: 'use `to_json` or `to_nice_json`',
  b64encode: 'encode on the host: `command: [base64]` with `stdin:`',
  b64decode: 'decode on the host: `command: [base64, -d]` with `stdin:`',
  hash: 'hash on the host with `command: [sha256sum]`',
  password_hash: 'hash on the host with `command: [openssl, passwd, -6]`',
}

/** Problems with one template's text: Ansible features tend's templates lack. */
export function missingTemplateFeatures(text: string): string[] {
  let root: Node
  try {
    root = parseTemplate(text) as unknown as Node
  } catch {
    return [] // syntax errors are reported by the variable check
  }
  const found: string[] = []
  const walk = (node: Node): void => {
    if (node.typename === 'Filter' && isNode(node.name)) {
      const name = String(node.name.value)
      if (!has('filter', name)) found.push(`Ansible's filter \`${name}\` is not in tend's templates${INSTEAD[name] ? `: ${INSTEAD[name]}` : ''}`)
    }
    if (node.typename === 'Is') {
      const right = node.right
      const name = isNode(right) ? (right.typename === 'Symbol' ? String(right.value) : isNode(right.name) ? String(right.name.value) : undefined) : undefined
      if (name !== undefined && !has('test', name)) found.push(`Ansible's test \`${name}\` is not in tend's templates`)
    }
    if (node.typename === 'FunCall' && isNode(node.name) && node.name.typename === 'Symbol' && LOOKUPS.has(String(node.name.value))) {
      found.push(`Ansible's \`${String(node.name.value)}()\` lookups are not in tend: read files with \`vars_files\` or \`template\`, values with -e`)
    }
    for (const field of node.fields ?? []) if (isNode(node[field])) walk(node[field] as Node)
    for (const child of node.children ?? []) if (isNode(child)) walk(child)
  }
  walk(root)
  return [...new Set(found)]
}
