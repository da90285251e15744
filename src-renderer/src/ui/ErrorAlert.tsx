import type { ReactNode } from 'react';
import type { FieldValues } from 'react-hook-form';
import type { ErrorObject } from '../../../src-shared/errors';
import { errorText, fieldErrors } from '../errors';
import type { FormFields } from '../forms/useContractForm';
import { platformName, platformOf } from '../posts/posts';
import { Action } from './Action';

/** "Mastodon" for `mastodon`; a provider the app does not know keeps its own name. */
const providerName = (provider: string) => {
  const platform = platformOf(`${provider}-`);
  return platform ? platformName(platform) : provider;
};

interface Props {
  error: ErrorObject;
  id?: string;
  /** What "Upgrade to …" does here (SPEC §7: opens the plan page). */
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
        <Action onClick={() => onUpgrade?.()}>Upgrade to {action.required_plan_display_name}</Action>
      )}
      {action?.type === 'connect_social_account' && (
        <a className="button" href={action.connection_url} target="_blank" rel="noreferrer noopener">
          Connect {providerName(action.provider)}
        </a>
      )}
      {children}
    </div>
  );
}

/**
 * Under a contract form: the error that belongs to no field (its action as a button), or what the
 * form's own checks could not place. Field errors stand beside their fields instead.
 */
export function FormAlert<V extends FieldValues>({ form, onUpgrade }: { form: FormFields<V>; onUpgrade?: () => void }) {
  const root = form.formState.errors.root?.message;
  if (form.formError) return <ErrorAlert error={form.formError} onUpgrade={onUpgrade} />;
  if (root) return <ErrorAlert error={{ code: 'validation_failed', message: root }} />;
  return null;
}
