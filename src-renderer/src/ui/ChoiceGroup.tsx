import { useId } from 'react';

/**
 * A question with a few ways to answer, one chosen (first run: this computer or a team host; a team
 * host: an invitation or an account): radio buttons under a legend, the answers as data.
 */
export function ChoiceGroup<T extends string>({
  legend,
  options,
  value,
  onChange,
}: {
  legend: string;
  options: readonly { value: T; label: string }[];
  value: T;
  onChange: (value: T) => void;
}) {
  const group = useId();
  return (
    <fieldset className="choice-group">
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value}>
          <input type="radio" name={group} checked={value === o.value} onChange={() => onChange(o.value)} />
          <span>{o.label}</span>
        </label>
      ))}
    </fieldset>
  );
}
