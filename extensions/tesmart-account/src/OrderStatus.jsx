import '@shopify/ui-extensions/preact';
import {render} from 'preact';
import {useEffect, useState} from 'preact/hooks';

import {getFromBackend, numericId} from './backend.js';
import {DeviceFacts, translate} from './DeviceFacts.jsx';
import {readDevices} from './devices.js';
import {Quiet} from './Quiet.jsx';

// The full-page extension declared beside this one in shopify.extension.toml.
const DEVICES_PAGE = 'extension://tesmart-devices-page';

// customer-account.order-status.block.render
export default async () => {
  render(
    <Quiet>
      <OrderDevices />
    </Quiet>,
    document.body,
  );
};

/** The TESmart devices registered from this order. Nothing while loading, if none, or on error. */
function OrderDevices() {
  const order = shopify.order.value;
  const orderId = numericId(order && order.id);
  const [devices, setDevices] = useState(null);

  useEffect(() => {
    if (!orderId) return undefined;
    const controller = new AbortController();
    getFromBackend(`/extension-api/orders/${encodeURIComponent(orderId)}/devices`, controller.signal)
      .then(({json}) => readDevices(json))
      .catch(() => null)
      .then((next) => {
        if (!controller.signal.aborted) setDevices(next);
      });
    return () => controller.abort();
  }, [orderId]);

  if (!devices || !devices.length) return null;
  return (
    <s-section heading={translate('order.heading')}>
      <s-stack gap="base">
        {devices.map((device) => (
          <s-stack key={device.id} gap="small-300">
            <s-text type="strong">{device.title}</s-text>
            <DeviceFacts device={device} />
          </s-stack>
        ))}
        <s-link href={DEVICES_PAGE}>{translate('order.allDevices')}</s-link>
      </s-stack>
    </s-section>
  );
}
