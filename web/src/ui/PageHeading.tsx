import type { ReactNode } from 'react';

/**
 * The page's single h1. It is focusable (tabIndex -1) so the layout can move focus to it after a
 * client-side navigation, which tells screen-reader users that the page changed.
 */
export function PageHeading({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <h1 className={['page-heading', className ?? ''].filter(Boolean).join(' ')} tabIndex={-1} data-page-heading="">
      {children}
    </h1>
  );
}
