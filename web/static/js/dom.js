// The DOM helpers every module builds with. Text always goes in as text nodes, never as HTML.

export const $ = (selector, root = document) => root.querySelector(selector);

/** h('a', {href: '/x', class: 'name'}, 'text', childNode): an element with attributes and children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

export function show(element, visible = true) {
  element.hidden = !visible;
}

export function showError(element, error) {
  element.textContent = error ? error.message : '';
  show(element, Boolean(error));
}

let toastTimer;
export function toast(text) {
  const element = $('#toast');
  element.textContent = text;
  show(element);
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => show(element, false), 4000);
}
