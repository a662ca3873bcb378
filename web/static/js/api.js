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

let signingOut = false;

/** Ends this session (`end`: the request that does), then to the sign-in page. Meanwhile the
 * page's other calls that the ended session refuses stay where they are: their way back through
 * the sign-in page (signInAgain) would race this one. */
export async function signOut(end) {
  signingOut = true;
  try {
    await end();
  } catch (error) {
    signingOut = false;
    throw error;
  }
  location.assign('/signin');
}

/** To the sign-in page and back here afterwards; `next` encoded as the server's redirect encodes it. */
export function signInAgain() {
  const next = encodeURIComponent(location.pathname + location.search).replaceAll('%2F', '/');
  location.assign('/signin?next=' + next);
}

const RETRIES = 4;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a 503 may be sent again: a shed request ("overloaded") never ran, and reads are safe. */
function retryable(response, data, method) {
  return response.status === 503 && (data?.error?.code === 'overloaded' || method === 'GET');
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  for (let attempt = 1; ; attempt += 1) {
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
    if (response.ok) return data;
    if (attempt < RETRIES && retryable(response, data, method)) {
      const seconds = Number(response.headers.get('Retry-After')) || 1;
      await sleep(Math.min(seconds, 5) * 1000);
      continue;
    }
    if (response.status === 401 && signedIn && !signingOut) signInAgain(); // the session ended: revoked or expired
    throw new ApiError(response.status, data);
  }
}

/** PUT raw bytes (a media chunk) as application/octet-stream; resolves when the server took them. */
export async function putBytes(path, blob) {
  let response;
  try {
    response = await fetch('/api/v1' + path, {
      method: 'PUT', credentials: 'same-origin', body: blob,
      headers: { 'Content-Type': 'application/octet-stream', 'X-CSRF-Token': csrfToken },
    });
  } catch {
    throw new ApiError(0, { error: { code: 'offline', message: 'The server cannot be reached; try again.' } });
  }
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body);
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path) => api('DELETE', path);
