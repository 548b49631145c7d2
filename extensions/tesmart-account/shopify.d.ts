// Types of the `shopify` global in each module, from @shopify/ui-extensions (used by tsc and
// editors; the bundles do not need it). Shopify CLI writes a file of this shape during `app dev`.
import '@shopify/ui-extensions';

type OrderStatusApi = import('@shopify/ui-extensions/customer-account.order-status.block.render').Api;
type PageApi = import('@shopify/ui-extensions/customer-account.page.render').Api;
// Helpers shared by both targets use only what the two have in common.
type SharedApi = PageApi;

//@ts-ignore
declare module './src/OrderStatus.jsx' {
  const shopify: OrderStatusApi;
  const globalThis: {shopify: typeof shopify};
}

//@ts-ignore
declare module './src/DevicesPage.jsx' {
  const shopify: PageApi;
  const globalThis: {shopify: typeof shopify};
}

//@ts-ignore
declare module './src/DeviceFacts.jsx' {
  const shopify: SharedApi;
  const globalThis: {shopify: typeof shopify};
}

//@ts-ignore
declare module './src/format.js' {
  const shopify: SharedApi;
  const globalThis: {shopify: typeof shopify};
}

//@ts-ignore
declare module './src/backend.js' {
  const shopify: SharedApi;
  const globalThis: {shopify: typeof shopify};
}

declare global {
  // Only `process.env.APP_URL`, which esbuild's define replaces at build time (extensions/build.mjs).
  const process: {env: {APP_URL?: string}};
}
