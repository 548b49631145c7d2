// Types of the `shopify` global in each module, from @shopify/ui-extensions (used by tsc and
// editors; the bundles do not need it). Shopify CLI writes a file of this shape during `app dev`.
import '@shopify/ui-extensions';

type CheckoutApi = import('@shopify/ui-extensions/purchase.checkout.block.render').Api;
type ThankYouApi = import('@shopify/ui-extensions/purchase.thank-you.block.render').Api;
// The block is shared: only checkout can apply discount codes (the code checks before calling).
type BlockApi = ThankYouApi & Partial<Pick<CheckoutApi, 'applyDiscountCodeChange'>>;

//@ts-ignore
declare module './src/Checkout.jsx' {
  const shopify: CheckoutApi;
  const globalThis: {shopify: typeof shopify};
}

//@ts-ignore
declare module './src/ThankYou.jsx' {
  const shopify: ThankYouApi;
  const globalThis: {shopify: typeof shopify};
}

//@ts-ignore
declare module './src/MemberBlock.jsx' {
  const shopify: BlockApi;
  const globalThis: {shopify: typeof shopify};
}

//@ts-ignore
declare module './src/backend.js' {
  const shopify: BlockApi;
  const globalThis: {shopify: typeof shopify};
}

declare global {
  // Only `process.env.APP_URL`, which esbuild's define replaces at build time (extensions/build.mjs).
  const process: {env: {APP_URL?: string}};
}
