// The JSON API as the pages call it: the session cookie authenticates, and the shell's CSRF token
// goes on every write.

export const TWEET_LIMIT = 140;

const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content ?? '';
export const signedIn = csrfToken !== '';

/** Counts as the server does: Unicode code points after NFC normalisation. */
export function tweetLength(text) {
  return [...text.normalize('NFC')].length;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `The server answered ${status}.`);
    this.status = status;
    this.code = body?.error?.code ?? 'http_error';
    this.body = body;
  }
}

export function signInAgain() {
  location.assign('/signin?next=' + encodeURIComponent(location.pathname + location.search));
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch('/api/v1' + path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { error: { code: 'offline', message: 'The server cannot be reached; try again.' } });
  }
  const text = response.status === 204 ? '' : await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (response.status === 401 && signedIn) signInAgain(); // the session ended: revoked or expired
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body);
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path) => api('DELETE', path);
