// Reads the backend's answer defensively: a field missing or of the wrong type hides that part of
// the block instead of breaking the checkout.

function count(value) {
  const number = Number(value);
  return Number.isFinite(number) ? Math.trunc(number) : 0;
}

function months(value) {
  const number = count(value);
  return number > 0 ? number : null;
}

function list(value) {
  return Array.isArray(value) ? value.filter((item) => item && typeof item === 'object') : [];
}

/**
 * `{"member": {"status","cohort","balance"}|null, "points_to_earn", "multiplier",
 *   "reward_codes": [{"code","title"}], "warranty": [{"product_id","title","category",
 *   "standard_warranty_months","extended_warranty_months"}]}` → the view model, or null.
 */
export function readSummary(json) {
  if (!json || typeof json !== 'object') return null;
  const member =
    json.member && typeof json.member === 'object'
      ? {status: String(json.member.status || 'none'), balance: count(json.member.balance)}
      : null;
  const multiplier = Number(json.multiplier);
  return {
    member,
    pointsToEarn: Math.max(0, count(json.points_to_earn)),
    // Points-multiplier campaigns (Points Day, Member Week): shown as the "2X" badge.
    multiplier: Number.isFinite(multiplier) && multiplier > 1 ? multiplier : null,
    rewardCodes: list(json.reward_codes)
      .filter((reward) => typeof reward.code === 'string' && reward.code)
      .map((reward) => ({code: reward.code, title: String(reward.title || '')})),
    warranty: list(json.warranty)
      .map((item) => ({
        productId: String(item.product_id || ''),
        title: String(item.title || ''),
        standardMonths: months(item.standard_warranty_months),
        extendedMonths: months(item.extended_warranty_months),
      }))
      .filter((item) => item.title && item.standardMonths),
  };
}
