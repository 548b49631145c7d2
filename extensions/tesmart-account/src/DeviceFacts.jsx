import {formatDate, formatMoney, today} from './format.js';

export const translate = (key, options) => shopify.i18n.translate(key, options);

const CATEGORIES = ['kvm_switch', 'kvm_extender', 'matrix', 'accessory', 'other'];
const TRADE_IN_STATUSES = [
  'quoted',
  'applied',
  'approved',
  'shipped',
  'paid',
  'received',
  'inspected',
  'revoked',
  'expired',
];
const TRADE_IN_KINDS = ['recovery_value', 'discount_on_new', 'recycle_only'];

function WarrantyEnd({kind, end, now}) {
  const running = end >= now;
  return (
    <s-text color={running ? 'base' : 'subdued'}>
      {translate(`warranty.${kind}.${running ? 'until' : 'ended'}`, {date: formatDate(end)})}
    </s-text>
  );
}

/** The trade-in line (POLICY.md section 5): a running trade-in's state, else what is possible. */
export function tradeInText(tradeIn, now = today()) {
  if (tradeIn.status && TRADE_IN_STATUSES.includes(tradeIn.status)) {
    return translate('tradeIn.status', {status: translate(`tradeIn.statuses.${tradeIn.status}`)});
  }
  if (tradeIn.earliestOn && tradeIn.earliestOn > now && tradeIn.kind !== 'none') {
    return translate('tradeIn.from', {date: formatDate(tradeIn.earliestOn)});
  }
  if (tradeIn.eligible && TRADE_IN_KINDS.includes(tradeIn.kind)) {
    return translate(`tradeIn.kinds.${tradeIn.kind}`);
  }
  return translate('tradeIn.notEligible');
}

/** Warranty and trade-in facts of one device; `detailed` adds purchase, serial and replacement. */
export function DeviceFacts({device, detailed = false}) {
  const now = today();
  const paid = detailed ? formatMoney(device.amountPaid, device.currency) : null;
  const category = CATEGORIES.includes(device.category) ? device.category : null;
  return (
    <s-stack gap="small-300">
      {detailed ? (
        <s-text color="subdued">
          {[
            category ? translate(`categories.${category}`) : null,
            device.serial
              ? translate('device.serial', {serial: device.serial})
              : translate('device.noSerial'),
          ]
            .filter(Boolean)
            .join(' · ')}
        </s-text>
      ) : null}
      {detailed && device.purchasedAt ? (
        <s-text color="subdued">
          {[
            device.orderName ? translate('device.order', {order: device.orderName}) : null,
            translate('device.purchased', {date: formatDate(device.purchasedAt)}),
            paid,
          ]
            .filter(Boolean)
            .join(' · ')}
        </s-text>
      ) : null}
      {device.standardWarrantyEnd ? (
        <WarrantyEnd kind="standard" end={device.standardWarrantyEnd} now={now} />
      ) : null}
      {device.extendedWarrantyEnd ? (
        <WarrantyEnd kind="extended" end={device.extendedWarrantyEnd} now={now} />
      ) : detailed ? (
        <s-text color="subdued">{translate('warranty.noExtension')}</s-text>
      ) : null}
      {device.replacementUsed ? (
        <s-text color="subdued">{translate('warranty.replacementUsed')}</s-text>
      ) : detailed && device.claimAvailable ? (
        <s-text color="subdued">{translate('warranty.replacementAvailable')}</s-text>
      ) : null}
      <s-text>{tradeInText(device.tradeIn, now)}</s-text>
    </s-stack>
  );
}
