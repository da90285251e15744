import type { ReactNode } from 'react';
import type { ErrorObject } from '../../../src-shared/errors';
import { errorText, fieldErrors } from '../errors';

interface Props {
  error: ErrorObject;
  id?: string;
  /** What "Upgrade plan" does here (SPEC §7: opens the plan page). */
  onUpgrade?: () => void;
  /** More ways out that only the caller knows (e.g. "Schedule on … instead"). */
  children?: ReactNode;
}

/** An error as data, shown next to whatever caused it; actions become buttons. */
export function ErrorAlert({ error, id, onUpgrade, children }: Props) {
  const action = error.action;
  const messages = [...new Set(Object.values(fieldErrors(error)))];
  return (
    <div role="alert" id={id} className="alert" data-code={error.code}>
      {messages.length > 1 ? (
        <ul className="alert-message">
          {messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : (
        <p className="alert-message">{errorText(error)}</p>
      )}
      {action?.type === 'upgrade_plan' && (
        <button type="button" className="button" onClick={onUpgrade}>
          Upgrade plan
        </button>
      )}
      {action?.type === 'connect_social_account' && (
        <a className="button" href={action.url} target="_blank" rel="noreferrer noopener">
          {action.label || 'Connect a social account'}
        </a>
      )}
      {children}
    </div>
  );
}
