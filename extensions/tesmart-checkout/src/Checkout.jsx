import '@shopify/ui-extensions/preact';
import {render} from 'preact';

import {MemberBlock} from './MemberBlock.jsx';
import {Quiet} from './Quiet.jsx';

// purchase.checkout.block.render
export default async () => {
  render(
    <Quiet>
      <MemberBlock page="checkout" />
    </Quiet>,
    document.body,
  );
};
