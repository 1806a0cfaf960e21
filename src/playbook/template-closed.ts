import { templateFunctions } from './sandbox.js'
import { childNodes, isNode, testName, type AstNode } from './template-vars.js'

/**
 * The template language tend accepts: expressions, `if`, `for`, `set`, `switch`, filters, tests
 * and calls of tend's own functions by name. Macros, `call`/`caller`, imports, includes, blocks,
 * extensions and regex literals are refused before anything renders: they either create functions
 * inside the template or reach outside it, and tend's values never need them.
 */
const ALLOWED = new Set([
  'Root', 'NodeList', 'Output', 'TemplateData', 'Literal', 'Symbol', 'Group', 'Array', 'Pair', 'Dict',
  'LookupVal', 'If', 'InlineIf', 'For', 'Set', 'Capture', 'Switch', 'Case', 'FunCall', 'Filter', 'KeywordArgs',
  'In', 'Is', 'Or', 'And', 'Not', 'Add', 'Concat', 'Sub', 'Mul', 'Div', 'FloorDiv', 'Mod', 'Pow', 'Neg', 'Pos',
  'Compare', 'CompareOperand',
])

const CONSTRUCT: Readonly<Record<string, string>> = {
  Macro: '{% macro %}', Caller: '{% call %}', Import: '{% import %}', FromImport: '{% from ... import %}',
  Include: '{% include %}', Extends: '{% extends %}', Block: '{% block %}', Super: 'super()',
  CallExtension: 'an extension tag', CallExtensionAsync: 'an extension tag', FilterAsync: 'an async filter',
  AsyncEach: '{% asyncEach %}', AsyncAll: '{% asyncAll %}', IfAsync: '{% ifAsync %}',
}

const names = (table: Readonly<Record<string, unknown>>): string => Object.keys(table).filter((n) => !n.startsWith('__')).sort().join(', ')

/** The first construct outside tend's template language, as a message; undefined when all is allowed. */
export function refusedConstruct(root: AstNode, filters: Readonly<Record<string, unknown>>, tests: Readonly<Record<string, unknown>>): string | undefined {
  const has = (table: Readonly<Record<string, unknown>>, name: string) => Object.prototype.hasOwnProperty.call(table, name)
  const visit = (node: AstNode): string | undefined => {
    if (!ALLOWED.has(node.typename)) return `${CONSTRUCT[node.typename] ?? node.typename} is not supported in tend templates`
    if (node.typename === 'Literal' && node.value instanceof RegExp) return 'regex literals are not supported in tend templates; pass the pattern as a string'
    if (node.typename === 'Filter') {
      const name = isNode(node.name) ? String(node.name.value) : ''
      if (!has(filters, name)) return `unknown filter \`${name}\` (tend's filters: ${names(filters)})`
      return isNode(node.args) ? visit(node.args) : undefined
    }
    if (node.typename === 'Is') {
      const name = testName(node) ?? ''
      if (!has(tests, name)) return `unknown test \`${name}\` (tend's tests: ${names(tests)})`
      const right = node.right
      const args = isNode(right) && right.typename === 'FunCall' && isNode(right.args) ? [right.args] : []
      for (const child of [...(isNode(node.left) ? [node.left] : []), ...args]) {
        const refused = visit(child)
        if (refused) return refused
      }
      return undefined
    }
    if (node.typename === 'FunCall') {
      const callee = node.name
      if (!isNode(callee) || callee.typename !== 'Symbol' || !has(templateFunctions, String(callee.value))) {
        return `only tend's functions can be called in a template (${names(templateFunctions)}); filters are written \`value | name(args)\``
      }
      return isNode(node.args) ? visit(node.args) : undefined
    }
    for (const child of childNodes(node)) {
      const refused = visit(child)
      if (refused) return refused
    }
    return undefined
  }
  return visit(root)
}
