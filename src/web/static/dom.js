// Every node of the page is built here: host data only ever becomes text nodes (append of a
// string, textContent), never markup. The page's Trusted Types policy makes innerHTML throw anyway.

/** h('a', {href: '#/'}, 'text', child…): an element; attributes are set as attributes, on* as listeners. */
export function h(tag, attrs = {}, ...children) {
  return build(document.createElement(tag), attrs, children)
}

const SVG = 'http://www.w3.org/2000/svg'

/** Same as h(), in the SVG namespace (the charts). */
export function s(tag, attrs = {}, ...children) {
  return build(document.createElementNS(SVG, tag), attrs, children)
}

function build(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value)
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue
    el.append(child instanceof Node ? child : String(child))
  }
  return el
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren()
  return build(el, {}, children)
}

/** A same-page link to a view; names go through encodeURIComponent, never raw into a URL. */
export function viewLink(kind, name, text = name) {
  return h('a', { href: `#/${kind}/${encodeURIComponent(name)}` }, text)
}

export async function getJson(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' })
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`)
  return res.json()
}
