import type { FieldPath } from 'react-hook-form';
import type { ManagedUser } from '../../../src-shared/clients';
import type { FormFields } from '../forms/useContractForm';
import { Field, TextField } from '../ui/Field';

/** A client's details as their form holds them (empty strings for what is not set). */
export interface ClientValues {
  email: string;
  displayName: string;
  externalId: string;
  timezone: string;
}

export const clientValues = (u: Pick<ManagedUser, 'email' | 'displayName' | 'externalId' | 'timezone'>) => ({
  email: u.email,
  displayName: u.displayName,
  externalId: u.externalId ?? '',
  timezone: u.timezone,
});

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

/** Email, display name, external id and timezone: shared by "New client" and the client page's edit form. */
export function ClientFields<V extends ClientValues>({ form }: { form: FormFields<V> }) {
  const name = (field: keyof ClientValues) => field as FieldPath<V>;
  return (
    <>
      <TextField form={form} name={name('email')} label="Email" type="email" autoComplete="off" required />
      <TextField form={form} name={name('displayName')} label="Display name" autoComplete="off" required />
      <TextField
        form={form}
        name={name('externalId')}
        label="External ID (optional)"
        autoComplete="off"
        spellCheck={false}
        hint="Your own system's id for this client; unique in the workspace."
      />
      <Field label="Timezone" error={form.errorOf(name('timezone'))} required>
        {(control) => (
          <>
            <input
              type="text"
              list={`${control.id}-zones`}
              autoComplete="off"
              spellCheck={false}
              {...control}
              {...form.register(name('timezone'))}
            />
            <datalist id={`${control.id}-zones`}>
              {timeZones().map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </>
        )}
      </Field>
    </>
  );
}
