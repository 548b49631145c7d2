// The app backend's extension API (plugin/extension_api), as both UI extensions ask it. Not an
// extension of its own (no shopify.extension.toml: the Shopify CLI and extensions/build.mjs load
// extensions by that file): each extension's src/backend.js imports this module, and the bundler
// (esbuild, in both builds) compiles it into that extension's bundles, so each ships whole.
// Requests carry the session token Shopify signs for the customer or checkout; the backend
// verifies it and answers CORS for any origin, because extensions run in a sandboxed worker
// whose origin Shopify does not promise.

function configuredAppUrl() {
  // The backend's URL is compiled in: extensions/build.mjs, and the Shopify CLI (from the app's
  // `.env` on `shopify app deploy`, its tunnel under `app dev`), define process.env.APP_URL. A
  // bundler that does not leaves a reference to `process`, which does not exist in the worker.
  // There is no placeholder to fall back on: without a URL every request fails, loudly.
  try {
    return process.env.APP_URL || '';
  } catch {
    return '';
  }
}

export const APP_URL = configuredAppUrl().replace(/\/+$/, '');
if (!APP_URL) {
  console.error('TESmart: this extension was built without APP_URL; it has no backend to ask.');
}

/**
 * Ask the backend for a path with the session token; resolves to its JSON, rejects on any
 * failure or after `timeoutMs`, or when `signal` aborts. `body`, when given, is POSTed as JSON.
 * @param {string} path
 * @param {string} token
 * @param {{body?: unknown, timeoutMs: number, signal?: AbortSignal}} options
 */
export async function askBackend(path, token, {body, timeoutMs, signal}) {
  if (!APP_URL) throw new Error('built without APP_URL: no backend');
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const abort = () => timeout.abort();
  if (signal) signal.addEventListener('abort', abort);
  const headers = {Authorization: `Bearer ${token}`, Accept: 'application/json'};
  try {
    const response = await fetch(
      `${APP_URL}${path}`,
      body === undefined
        ? {method: 'GET', headers, signal: timeout.signal}
        : {
            method: 'POST',
            headers: {...headers, 'Content-Type': 'application/json'},
            body: JSON.stringify(body),
            signal: timeout.signal,
          },
    );
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    return await response.json();
  } finally {
    clearTimeout(timer);
    if (signal) signal.removeEventListener('abort', abort);
  }
}
