// Dates and money in the customer's language, through Shopify's i18n (Intl underneath).

/** Today as `YYYY-MM-DD` in the customer's own time zone, to compare with warranty end dates. */
export function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** An ISO calendar date (`2027-03-01`), formatted without shifting it across time zones. */
export function formatDate(isoDate) {
  const date = new Date(`${isoDate}T00:00:00Z`);
  /** @type {Intl.DateTimeFormatOptions} */
  const options = {dateStyle: 'medium', timeZone: 'UTC'};
  try {
    return shopify.i18n.formatDate(date, options);
  } catch {
    return new Intl.DateTimeFormat(undefined, options).format(date);
  }
}

/** A decimal string in a currency (`"129.00"`, `"USD"`). */
export function formatMoney(amount, currency) {
  const value = Number(amount);
  if (!Number.isFinite(value) || !currency) return null;
  try {
    return shopify.i18n.formatCurrency(value, {currency});
  } catch {
    return new Intl.NumberFormat(undefined, {style: 'currency', currency}).format(value);
  }
}
