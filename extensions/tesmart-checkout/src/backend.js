// The app backend's extension API (plugin/extension_api, asked through extensions/shared). Requests
// carry the session token that Shopify signs for this checkout.

import {askBackend} from '../../shared/src/backend.js';

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
  return askBackend('/extension-api/checkout', token, {body, timeoutMs: TIMEOUT_MS, signal});
}
