import { Field } from '../../ui/Field';
import { toLocalInput } from '../posts';
import { Action } from '../../ui/Action';

/** The date and time of a post on the client's wall clock, with "Now". */
export function WhenField({
  value,
  onChange,
  zone,
  whose,
  error,
}: {
  value: string;
  onChange: (value: string) => void;
  zone: string;
  /** Whose time zone it is (the client's name). */
  whose?: string;
  error?: string;
}) {
  return (
    <Field label="Date and time" hint={`Time zone: ${zone}${whose ? ` (${whose}'s)` : ''}`} error={error}>
      {(control) => (
        <div className="copy-row">
          <input {...control} type="datetime-local" value={value} onChange={(e) => onChange(e.target.value)} />
          <Action onClick={() => onChange(toLocalInput(new Date(), zone))}>Now</Action>
        </div>
      )}
    </Field>
  );
}
