import {useErrorBoundary} from 'preact/hooks';

/** Renders `fallback` (nothing by default) if anything below it throws. */
export function Quiet({children, fallback = null}) {
  const [error] = useErrorBoundary();
  return error ? fallback : children;
}
