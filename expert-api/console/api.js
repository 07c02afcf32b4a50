// The same /api/v1 every client uses, with the token from sessionStorage
// as a Bearer header (never in a URL). Errors come back as problem+json.

const KEY = 'expert-draw.token';

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (v) => sessionStorage.setItem(KEY, v),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiProblem extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
  }

  /** Field problems as [{field, message, message_en}]: every `errors[]`
   * entry, or the one `field` of a single problem. */
  fields() {
    const p = this.problem;
    if (Array.isArray(p.errors) && p.errors.length > 0) return p.errors;
    return p.field ? [{ field: p.field, message: null, message_en: p.detail }] : [];
  }
}

/** `GET`/`POST` a path under the API; `as`: 'json' (default) or 'text'. */
export async function api(method, path, { body, as = 'json', anonymous = false } = {}) {
  const headers = { Accept: as === 'json' ? 'application/json' : '*/*' };
  const t = token.get();
  if (t && !anonymous) headers.Authorization = `Bearer ${t}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit', cache: 'no-store',
  });
  const text = await res.text();
  if (!res.ok) {
    let problem = null;
    try { problem = JSON.parse(text); } catch { problem = { detail: text.slice(0, 200) }; }
    throw new ApiProblem(res.status, problem);
  }
  if (as === 'text') return text;
  return text === '' ? null : JSON.parse(text);
}
