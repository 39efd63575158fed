// dom.js - build DOM nodes safely. Text only ever goes in as text nodes
// (textContent / createTextNode); this app never uses innerHTML.

const PROPS = new Set(['checked', 'value', 'disabled', 'hidden', 'selected', 'defaultValue']);

/**
 * h('button', {class: 'btn', type: 'button', onclick: fn}, 'Save', child)
 * Attribute values are set with setAttribute or as properties; strings among
 * the children become text nodes; null / false children are skipped.
 */
export function h(tag, props = {}, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
        if (value === undefined || value === null || value === false) continue;
        if (key === 'class') el.className = value;
        else if (key === 'text') el.textContent = value;
        else if (key.startsWith('on') && typeof value === 'function') {
            el.addEventListener(key.slice(2), value);
        } else if (PROPS.has(key)) el[key] = value;
        else el.setAttribute(key, value === true ? '' : String(value));
    }
    append(el, children);
    return el;
}

function append(el, children) {
    for (const child of children) {
        if (child === null || child === undefined || child === false) continue;
        if (Array.isArray(child)) append(el, child);
        else if (child instanceof Node) el.append(child);
        else el.append(document.createTextNode(String(child)));
    }
}

/** document.querySelector that fails loudly when the page lacks the element. */
export function $(selector, root = document) {
    const el = root.querySelector(selector);
    if (!el) throw new Error(`missing element ${selector}`);
    return el;
}

/** A debounced version of fn. */
export function debounce(fn, ms) {
    let timer = 0;
    const wrapped = (...args) => {
        clearTimeout(timer);
        timer = setTimeout(() => fn(...args), ms);
    };
    wrapped.cancel = () => clearTimeout(timer);
    return wrapped;
}
