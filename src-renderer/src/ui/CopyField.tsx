import { useRef } from 'react';
import { Field } from './Field';
import { useCopy } from './useCopy';
import { CopyButton, CopyStatus } from './CopyButton';

interface Props {
  label: string;
  value: string;
  /** Shown under the field, e.g. "Shown once". */
  hint?: string;
}

/** A secret or a link to hand on: a read-only field and a Copy button that says whether it worked. */
export function CopyField({ label, value, hint }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const { copy, status } = useCopy(value, () => input.current?.select());
  return (
    <Field label={label} hint={hint}>
      {(control) => (
        <>
          <div className="copy-row">
            <input
              ref={input}
              type="text"
              readOnly
              value={value}
              spellCheck={false}
              className="mono"
              onFocus={(e) => e.currentTarget.select()}
              {...control}
            />
            <CopyButton label={`Copy ${label.toLowerCase()}`} copy={copy} />
          </div>
          <CopyStatus status={status} />
        </>
      )}
    </Field>
  );
}
