import '@shopify/ui-extensions/preact';
import {render} from 'preact';
import {useEffect, useState} from 'preact/hooks';

import {getFromBackend, shopDomainFromToken} from './backend.js';
import {DeviceFacts, translate} from './DeviceFacts.jsx';
import {readDevices} from './devices.js';
import {Quiet} from './Quiet.jsx';

// The storefront page where the theme's trade-in estimator block lives, unless the merchant sets
// `trade_in_url` in the editor.
const DEFAULT_TRADE_IN_PATH = '/pages/trade-in';

// customer-account.page.render
export default async () => {
  render(
    <Quiet fallback={<LoadFailed />}>
      <DevicesPage />
    </Quiet>,
    document.body,
  );
};

function tradeInUrl(token) {
  const settings = (shopify.settings && shopify.settings.value) || {};
  const configured = typeof settings.trade_in_url === 'string' ? settings.trade_in_url.trim() : '';
  if (/^https:\/\/\S+$/.test(configured)) return configured;
  const domain = shopDomainFromToken(token);
  return domain ? `https://${domain}${DEFAULT_TRADE_IN_PATH}` : null;
}

function LoadFailed() {
  return (
    <s-page heading={translate('page.heading')}>
      <s-banner tone="critical">{translate('page.error')}</s-banner>
    </s-page>
  );
}

/** "My devices": every registered device with its warranty and trade-in standing. */
function DevicesPage() {
  const [state, setState] = useState({status: 'loading', devices: [], link: null});

  useEffect(() => {
    const controller = new AbortController();
    getFromBackend('/extension-api/devices', controller.signal)
      .then(({json, token}) => ({status: 'ready', devices: readDevices(json), link: tradeInUrl(token)}))
      .catch(() => ({status: 'error', devices: [], link: null}))
      .then((next) => {
        if (!controller.signal.aborted) setState(next);
      });
    return () => controller.abort();
  }, []);

  if (state.status === 'error') return <LoadFailed />;
  return (
    <s-page heading={translate('page.heading')} subheading={translate('page.subheading')}>
      {state.link ? (
        <s-button slot="primary-action" href={state.link} target="_blank">
          {translate('page.tradeInEstimator')}
        </s-button>
      ) : null}
      {state.status === 'loading' ? (
        <s-section>
          <s-skeleton-paragraph />
        </s-section>
      ) : state.devices.length ? (
        <s-stack gap="base">
          {state.devices.map((device) => (
            <s-section key={device.id} heading={device.title}>
              <DeviceFacts device={device} detailed />
            </s-section>
          ))}
        </s-stack>
      ) : (
        <s-section>
          <s-text>{translate('page.empty')}</s-text>
        </s-section>
      )}
    </s-page>
  );
}
