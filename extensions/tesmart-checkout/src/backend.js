// The app backend's extension API (plugin/extension_api). Requests carry the session token that
// Shopify signs for this checkout; the backend verifies it and answers CORS for any origin, because
// extensions run in a sandboxed worker whose origin Shopify does not promise.

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

// A checkout must never wait on us: past this the block simply stays empty.
const TIMEOUT_MS = 8000;

// Money leaves the extension as a decimal string, as the contract wants (never a float on the wire).
function decimal(amount) {
  const value = Number(amount);
  return Number.isFinite(value) ? String(value) : '0';
}

/** The body of POST /extension-api/checkout, from the cart lines and cost the target API exposes. */
export function checkoutRequest(lines, subtotal, currency) {
  return {
    lines: (lines || [])
      .filter((line) => line && line.merchandise && line.merchandise.product)
      .map((line) => ({
        product_id: line.merchandise.product.id,
        quantity: line.quantity,
        amount: decimal(line.cost && line.cost.totalAmount && line.cost.totalAmount.amount),
      })),
    currency: (subtotal && subtotal.currencyCode) || currency || '',
    subtotal: decimal(subtotal && subtotal.amount),
  };
}

/** POST the cart to the backend; resolves to its JSON, rejects on any failure. */
export async function fetchCheckoutSummary(body, signal) {
  const token = await shopify.sessionToken.get();
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), TIMEOUT_MS);
  const abort = () => timeout.abort();
  if (signal) signal.addEventListener('abort', abort);
  try {
    const response = await fetch(backendUrl('/extension-api/checkout'), {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        Accept: 'application/json',
      },
      body: JSON.stringify(body),
      signal: timeout.signal,
    });
    if (!response.ok) throw new Error(`extension-api/checkout answered ${response.status}`);
    return await response.json();
  } finally {
    clearTimeout(timer);
    if (signal) signal.removeEventListener('abort', abort);
  }
}
