// The app backend's extension API (plugin/extension_api). Requests carry the session token Shopify
// signs for the logged-in customer (`sub`) of the shop (`dest`); the backend verifies it and answers
// CORS for any origin, because extensions run in a sandboxed worker whose origin is not promised.

const DEFAULT_APP_URL = 'https://members.tesmart.example';

function configuredAppUrl() {
  // extensions/build.mjs replaces process.env.APP_URL with a string at build time; a bundler that
  // does not define it leaves a reference to `process`, which does not exist in the worker.
  try {
    return process.env.APP_URL || DEFAULT_APP_URL;
  } catch {
    return DEFAULT_APP_URL;
  }
}

export const APP_URL = configuredAppUrl().replace(/\/+$/, '');

const TIMEOUT_MS = 10000;

/** GET a path of the extension API with the session token; resolves to `{json, token}`. */
export async function getFromBackend(path, signal) {
  const token = await shopify.sessionToken.get();
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), TIMEOUT_MS);
  const abort = () => timeout.abort();
  if (signal) signal.addEventListener('abort', abort);
  try {
    const response = await fetch(`${APP_URL}${path}`, {
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
