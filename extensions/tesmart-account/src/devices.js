// Reads Device objects from the backend defensively: a malformed device is dropped, a malformed
// field hides that line, nothing throws.

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function date(value) {
  return typeof value === 'string' && ISO_DATE.test(value.slice(0, 10)) ? value.slice(0, 10) : null;
}

function text(value) {
  return typeof value === 'string' && value ? value : null;
}

function readDevice(raw) {
  const warranty = raw.warranty && typeof raw.warranty === 'object' ? raw.warranty : {};
  const tradeIn = raw.trade_in && typeof raw.trade_in === 'object' ? raw.trade_in : {};
  return {
    id: raw.id,
    title: text(raw.title),
    category: text(raw.category),
    serial: text(raw.serial),
    orderName: text(raw.order_name),
    purchasedAt: date(raw.purchased_at),
    amountPaid: text(raw.amount_paid),
    currency: text(raw.currency),
    standardWarrantyEnd: date(raw.standard_warranty_end),
    extendedWarrantyEnd: date(raw.extended_warranty_end),
    replacementUsed: raw.replacement_used === true,
    claimAvailable: warranty.claim_available === true,
    tradeIn: {
      eligible: tradeIn.eligible === true,
      kind: text(tradeIn.kind) || 'none',
      earliestOn: date(tradeIn.earliest_on),
      status: text(tradeIn.status),
    },
  };
}

/** `{"devices": [Device]}` → the devices to show (those with an id and a title). */
export function readDevices(json) {
  const list = json && Array.isArray(json.devices) ? json.devices : [];
  return list
    .filter((raw) => raw && typeof raw === 'object')
    .map(readDevice)
    .filter((device) => device.id !== undefined && device.id !== null && device.title);
}
