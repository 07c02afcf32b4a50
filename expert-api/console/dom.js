// Small DOM helpers: elements are built with text nodes, never from HTML
// strings, so data from the API cannot become markup.
import { t, lang } from './i18n.js';
import { ApiProblem } from './api.js';

/** h('p', {class: 'x'}, 'text', child, ...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

let uid = 0;

/** A labelled form field with its error slot (aria-describedby). `name` is
 * the API's field path, used to place problem+json errors next to it. */
export function field(label, name, control = 'input', attrs = {}, children = []) {
  const id = `f${++uid}`;
  const err = `${id}-err`;
  const el = h(control, { id, name, 'aria-describedby': err, ...attrs }, children);
  return h('div', { class: 'field' },
    h('label', { for: id }, label), el, h('span', { class: 'error', id: err, 'aria-live': 'polite' }));
}

export function table(headers, rows) {
  return h('table', {}, h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows));
}

export function status(kind, text, attrs = {}) {
  return h('div', { class: `status ${kind}`, role: kind === 'bad' ? 'alert' : 'status', ...attrs }, text);
}

/** Clear every error of a form. */
export function clearErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.error')) el.textContent = '';
}

/** Show an error next to the control named `name` (or on the form). */
export function fieldError(form, name, message) {
  // The API names fields as `/`-separated paths (`panel/0/count`); an
  // error deeper than any control (`avoid/bidders/2`) goes to the nearest.
  let el = null;
  for (let path = name.replace(/^\//, ''); path && !el; path = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '') {
    el = form.querySelector(`[name="${CSS.escape(path)}"]`);
  }
  const slot = el ? form.querySelector(`#${el.id}-err`) : form.querySelector('.form-error');
  if (el) el.setAttribute('aria-invalid', 'true');
  if (slot) slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
  return el;
}

/** The API's problem+json placed next to the fields it names, in the
 * chosen language; the first invalid control gets the focus. */
export function showProblem(form, e, lang) {
  const fields = e.fields?.() ?? [];
  let first = null;
  for (const f of fields) {
    const msg = (lang === 'en' ? f.message_en : f.message) ?? t('fieldInvalid', { detail: f.message_en ?? f.message ?? '' });
    const el = fieldError(form, f.field, msg);
    first ??= el;
  }
  if (fields.length === 0) {
    const slot = form.querySelector('.form-error');
    if (slot) slot.textContent = t('failed', { detail: e.message });
  }
  (first ?? form.querySelector('.form-error'))?.focus?.();
}

/** Required controls of a form that are empty get the Chinese/English
 * "required" message; returns whether all are filled. */
export function checkRequired(form) {
  let ok = true;
  let first = null;
  for (const el of form.querySelectorAll('[required]')) {
    if (String(el.value).trim() === '') {
      fieldError(form, el.name, t('required'));
      first ??= el;
      ok = false;
    }
  }
  first?.focus();
  return ok;
}

/** Replace the children of `el`: arrays are flattened and null, undefined
 * and false left out (replaceChildren would write them as text). */
export function put(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}

/** "Previous / next page" for a cursor-paged list: `load(page)` shows
 * page `page`; `next` is the API's `next_cursor`. */
export function pager(page, next, load, nextId = null) {
  return h('div', { class: 'actions' },
    page > 0 ? h('button', { type: 'button', onclick: () => load(page - 1) }, t('prev')) : null,
    next ? h('button', { type: 'button', id: nextId, onclick: () => load(page + 1) }, t('next')) : null);
}

/** A form's slot for errors that name no field of it. */
export function formError() {
  return h('p', { class: 'error form-error', tabindex: '-1', 'aria-live': 'polite' });
}

/** Submit `form` through `run(v)`, `v(name)` being a control's trimmed
 * value: earlier errors cleared, required controls checked first, and an
 * API problem shown next to the fields it names. */
export function onSubmit(form, run) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    if (!checkRequired(form)) return;
    const v = (name) => form.elements[name].value.trim();
    try {
      await run(v);
    } catch (e) {
      if (e instanceof ApiProblem) showProblem(form, e, lang); else throw e;
    }
  });
}
