import {useErrorBoundary} from 'preact/hooks';

/** Renders nothing if anything below it throws: a checkout must never break because of us. */
export function Quiet({children}) {
  const [error] = useErrorBoundary();
  return error ? null : children;
}
