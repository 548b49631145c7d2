// The app backend's extension API (plugin/extension_api). Requests carry the session token Shopify
// signs for the logged-in customer (`sub`) of the shop (`dest`); the backend verifies it and answers
// CORS for any origin, because extensions run in a sandboxed worker whose origin is not promised.

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

function backendUrl(path) {
  if (!APP_URL) throw new Error('built without APP_URL: no backend');
  return `${APP_URL}${path}`;
}

const TIMEOUT_MS = 10000;

/** GET a path of the extension API with the session token; resolves to `{json, token}`. */
export async function getFromBackend(path, signal) {
  const token = await shopify.sessionToken.get();
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), TIMEOUT_MS);
  const abort = () => timeout.abort();
  if (signal) signal.addEventListener('abort', abort);
  try {
    const response = await fetch(backendUrl(path), {
      method: 'GET',
      headers: {Authorization: `Bearer ${token}`, Accept: 'application/json'},
      signal: timeout.signal,
    });
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    return {json: await response.json(), token};
  } finally {
    clearTimeout(timer);
    if (signal) signal.removeEventListener('abort', abort);
  }
}

/** `gid://shopify/Order/4501` → `4501`, the id the backend's order routes take. */
export function numericId(gid) {
  const match = /(\d+)$/.exec(String(gid || ''));
  return match ? match[1] : null;
}

/**
 * The shop's domain from the session token's `dest` claim, only to build a storefront link (the
 * full-page target has no shop object). Not verified here: the backend verifies the token.
 */
export function shopDomainFromToken(token) {
  try {
    const payload = String(token).split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, '=')));
    const domain = String(claims.dest || '').replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    return /^[a-z0-9.-]+$/i.test(domain) ? domain : null;
  } catch {
    return null;
  }
}
