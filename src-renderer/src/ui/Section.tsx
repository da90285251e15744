import { useId, type ReactNode } from 'react';
import type { ErrorObject } from '../../../src-shared/errors';
import { ErrorAlert } from './ErrorAlert';

/** A card with a heading that names it (a region screen readers can jump to). */
export function Section({
  title,
  hideTitle,
  intro,
  children,
  className,
}: {
  title: ReactNode;
  /** The heading is for screen readers only. */
  hideTitle?: boolean;
  /** A line under the heading. */
  intro?: ReactNode;
  /** Takes the heading's id, for tables and forms that the heading names too. */
  children: ReactNode | ((titleId: string) => ReactNode);
  className?: string;
}) {
  const id = useId();
  const titleId = `${id}-title`;
  return (
    <section className={className ? `card ${className}` : 'card'} aria-labelledby={titleId}>
      <h2 id={titleId} className={hideTitle ? 'visually-hidden' : undefined}>
        {title}
      </h2>
      {intro && <p className="muted">{intro}</p>}
      {typeof children === 'function' ? children(titleId) : children}
    </section>
  );
}

/** A page's title, a line under it, and its main buttons. */
export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <header className={actions ? 'page-header page-header-actions' : 'page-header'}>
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="muted">{subtitle}</p>}
      </div>
      {actions && <div className="button-row">{actions}</div>}
    </header>
  );
}

/** Terms and their values (a <dl>): the facts of a client, a post, a workspace. */
export function Facts({ items }: { items: readonly (readonly [string, ReactNode] | false | null | undefined)[] }) {
  return (
    <dl className="facts">
      {items.map(
        (item) =>
          item && (
            <div key={item[0]}>
              <dt>{item[0]}</dt>
              <dd>{item[1]}</dd>
            </div>
          ),
      )}
    </dl>
  );
}

/** What just happened, said politely (a live status line); empty keeps its place. */
export const Notice = ({ children, bad }: { children?: ReactNode; bad?: boolean }) => (
  <p role="status" className={bad ? 'notice notice-bad' : 'notice'}>
    {children ?? ''}
  </p>
);

/** "Loading …" while a query has no answer yet. */
export const Loading = ({ what }: { what?: string }) => (
  <p role="status" className="muted">
    Loading{what ? ` ${what}` : ''}…
  </p>
);

/** The way back from a page about one thing (a client, a post) to where it was opened from. */
export const BackButton = ({ label, onClick }: { label: string; onClick: () => void }) => (
  <button type="button" className="button subtle back" onClick={onClick}>
    ← {label}
  </button>
);

/** A page about one thing until it has loaded: the way back, and its error or "Loading …". */
export const PageLoading = ({ back, error, what }: { back: ReactNode; error: ErrorObject | null; what: string }) => (
  <div className="page">
    {back}
    {error ? <ErrorAlert error={error} /> : <Loading what={what} />}
  </div>
);
