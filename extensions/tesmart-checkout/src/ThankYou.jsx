import '@shopify/ui-extensions/preact';
import {render} from 'preact';

import {MemberBlock} from './MemberBlock.jsx';
import {Quiet} from './Quiet.jsx';

// purchase.thank-you.block.render: the same block, but codes are only shown, never applied.
export default async () => {
  render(
    <Quiet>
      <MemberBlock page="thank-you" />
    </Quiet>,
    document.body,
  );
};
