import {useEffect, useState} from 'preact/hooks';

import {checkoutRequest, fetchCheckoutSummary} from './backend.js';
import {readSummary} from './summary.js';

const translate = (key, options) => shopify.i18n.translate(key, options);
const number = (value) => shopify.i18n.formatNumber(value);

/**
 * What this order means for the buyer's TESmart membership. `page` is "checkout" (reward codes can
 * be applied) or "thank-you" (the order is placed: codes are only shown, for next time).
 * Renders nothing while loading, when there is nothing to say, and on any error.
 */
export function MemberBlock({page}) {
  // Reading `.value` of the target API's signals re-renders this block when the cart changes.
  const request = checkoutRequest(
    shopify.lines.value,
    shopify.cost.subtotalAmount.value,
    shopify.localization.currency.value && shopify.localization.currency.value.isoCode,
  );
  const requestKey = JSON.stringify(request);
  const [summary, setSummary] = useState(null);

  useEffect(() => {
    if (!request.lines.length) {
      setSummary(null);
      return undefined;
    }
    const controller = new AbortController();
    fetchCheckoutSummary(JSON.parse(requestKey), controller.signal)
      .then((json) => readSummary(json))
      .catch(() => null)
      .then((next) => {
        if (!controller.signal.aborted) setSummary(next);
      });
    return () => controller.abort();
  }, [requestKey]);

  if (!summary) return null;
  const settings = (shopify.settings && shopify.settings.value) || {};
  const codes = settings.show_reward_codes === false || !summary.member ? [] : summary.rewardCodes;
  const warranty = settings.show_warranty === false ? [] : summary.warranty;
  if (!summary.pointsToEarn && !summary.member && !warranty.length) return null;

  return (
    <s-stack gap="base">
      <s-heading>{translate('heading')}</s-heading>
      <Points summary={summary} page={page} />
      {codes.length ? <RewardCodes codes={codes} page={page} /> : null}
      {warranty.length ? <Warranty items={warranty} member={summary.member} /> : null}
    </s-stack>
  );
}

function Points({summary, page}) {
  const {member, pointsToEarn, multiplier} = summary;
  return (
    <s-stack gap="small-200">
      {pointsToEarn ? (
        <s-stack direction="inline" gap="small-200" alignItems="center">
          <s-text>
            {translate(page === 'thank-you' ? 'points.earned' : 'points.earn', {
              points: number(pointsToEarn),
            })}
          </s-text>
          {multiplier ? (
            <s-badge>{translate('points.multiplier', {multiplier: number(multiplier)})}</s-badge>
          ) : null}
        </s-stack>
      ) : null}
      {member ? (
        <s-text color="subdued">{translate('points.balance', {points: number(member.balance)})}</s-text>
      ) : (
        <s-text color="subdued">{translate('points.guest')}</s-text>
      )}
      {member && member.status !== 'active' ? (
        <s-text color="subdued">{translate('member.activate')}</s-text>
      ) : null}
    </s-stack>
  );
}

function RewardCodes({codes, page}) {
  return (
    <s-stack gap="small-200">
      <s-text type="strong">{translate('rewards.heading')}</s-text>
      {codes.map((reward, index) => (
        <RewardCode key={reward.code} reward={reward} index={index} page={page} />
      ))}
    </s-stack>
  );
}

function isApplied(code) {
  const applied = (shopify.discountCodes && shopify.discountCodes.value) || [];
  return applied.some((entry) => entry.code.toLowerCase() === code.toLowerCase());
}

function canApplyCodes(page) {
  if (page !== 'checkout' || typeof shopify.applyDiscountCodeChange !== 'function') return false;
  // Draft-order checkouts and some configurations do not allow discount code changes.
  const instructions = shopify.instructions && shopify.instructions.value;
  return !(instructions && instructions.discounts && !instructions.discounts.canUpdateDiscountCodes);
}

function RewardCode({reward, index, page}) {
  const [state, setState] = useState('idle');
  const applied = isApplied(reward.code);

  async function apply() {
    setState('applying');
    try {
      const result = await shopify.applyDiscountCodeChange({
        type: 'addDiscountCode',
        code: reward.code,
      });
      setState(result && result.type === 'success' ? 'idle' : 'failed');
    } catch {
      setState('failed');
    }
  }

  const label = reward.title ? `${reward.title}: ${reward.code}` : reward.code;
  let action;
  if (applied) {
    action = <s-badge>{translate('rewards.applied')}</s-badge>;
  } else if (canApplyCodes(page)) {
    action = (
      <s-button variant="secondary" loading={state === 'applying'} onClick={apply}>
        {translate('rewards.apply')}
      </s-button>
    );
  } else {
    const id = `tesmart-reward-code-${index}`;
    action = (
      <>
        <s-clipboard-item id={id} text={reward.code} />
        <s-button variant="secondary" command="--copy" commandFor={id}>
          {translate('rewards.copy')}
        </s-button>
      </>
    );
  }

  return (
    <s-stack gap="small-300">
      <s-stack direction="inline" gap="base" alignItems="center" justifyContent="space-between">
        <s-text>{label}</s-text>
        {action}
      </s-stack>
      {state === 'failed' ? (
        <s-text tone="critical">{translate('rewards.applyFailed')}</s-text>
      ) : null}
    </s-stack>
  );
}

function Warranty({items, member}) {
  const active = Boolean(member && member.status === 'active');
  return (
    <s-stack gap="small-200">
      <s-text type="strong">{translate('warranty.heading')}</s-text>
      {items.map((item) => (
        <s-stack key={item.productId || item.title} gap="none">
          <s-text>{item.title}</s-text>
          <s-text color="subdued">
            {translate('warranty.standard', {count: item.standardMonths})}
            {item.extendedMonths && item.extendedMonths > item.standardMonths
              ? ` · ${translate(active ? 'warranty.extendedMember' : 'warranty.extendedJoin', {
                  count: item.extendedMonths,
                })}`
              : ''}
          </s-text>
        </s-stack>
      ))}
    </s-stack>
  );
}
