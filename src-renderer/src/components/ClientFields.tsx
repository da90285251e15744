import { useId } from 'react';

export interface ClientDraft {
  email: string;
  displayName: string;
  externalId: string;
  timezone: string;
}

let zones: string[] | null = null;
/** Every IANA time zone the browser knows, for the timezone field's suggestions. */
function timeZones(): string[] {
  if (!zones) {
    try {
      zones = Intl.supportedValuesOf('timeZone');
    } catch {
      zones = [];
    }
  }
  return zones;
}

interface Props {
  draft: ClientDraft;
  onChange: (draft: ClientDraft) => void;
  /** Field names (email, displayName, externalId, timezone) the last error was about. */
  invalid: Set<string>;
  errorId: string;
}

/** Email, display name, external id and timezone: shared by "New client" and the client page's edit form. */
export function ClientFields({ draft, onChange, invalid, errorId }: Props) {
  const id = useId();
  const set = <K extends keyof ClientDraft>(key: K, value: ClientDraft[K]) => onChange({ ...draft, [key]: value });
  const aria = (field: string) =>
    invalid.has(field) ? { 'aria-invalid': true as const, 'aria-describedby': errorId } : {};
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-email`}>Email</label>
        <input
          id={`${id}-email`}
          type="email"
          autoComplete="off"
          value={draft.email}
          aria-required="true"
          onChange={(e) => set('email', e.target.value)}
          {...aria('email')}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-name`}>Display name</label>
        <input
          id={`${id}-name`}
          type="text"
          autoComplete="off"
          value={draft.displayName}
          aria-required="true"
          onChange={(e) => set('displayName', e.target.value)}
          {...aria('displayName')}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-external`}>External ID (optional)</label>
        <input
          id={`${id}-external`}
          type="text"
          autoComplete="off"
          spellCheck={false}
          value={draft.externalId}
          aria-describedby={`${id}-external-hint`}
          onChange={(e) => set('externalId', e.target.value)}
          {...aria('externalId')}
        />
        <p className="hint" id={`${id}-external-hint`}>
          Your own system's id for this client; unique in the workspace.
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-tz`}>Timezone</label>
        <input
          id={`${id}-tz`}
          type="text"
          list={`${id}-zones`}
          autoComplete="off"
          spellCheck={false}
          value={draft.timezone}
          aria-required="true"
          onChange={(e) => set('timezone', e.target.value)}
          {...aria('timezone')}
        />
        <datalist id={`${id}-zones`}>
          {timeZones().map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      </div>
    </>
  );
}

/** The paths of a client error ("client.email", "patch.email") as field names. */
export const clientFieldNames = (fields: Record<string, string>) =>
  new Set(Object.keys(fields).map((k) => k.split('.').pop() ?? k));
