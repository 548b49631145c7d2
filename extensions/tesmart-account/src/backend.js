// The app backend's extension API (plugin/extension_api, asked through extensions/shared). Requests
// carry the session token Shopify signs for the logged-in customer (`sub`) of the shop (`dest`).

import {askBackend} from '../../shared/src/backend.js';

const TIMEOUT_MS = 10000;

/** GET a path of the extension API with the session token; resolves to `{json, token}`. */
export async function getFromBackend(path, signal) {
  const token = await shopify.sessionToken.get();
  return {json: await askBackend(path, token, {timeoutMs: TIMEOUT_MS, signal}), token};
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
