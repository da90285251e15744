import type { ManagedUser } from '../../../src-shared/clients';

/** Checkboxes for a set of clients, shared by the invite form and a member's assignment. */
export function ClientChecklist({
  legend,
  clients,
  selected,
  disabled,
  onChange,
}: {
  legend: string;
  clients: ManagedUser[];
  selected: readonly string[];
  disabled?: boolean;
  onChange: (ids: string[]) => void;
}) {
  return (
    <fieldset className="checklist" disabled={disabled}>
      <legend>{legend}</legend>
      {clients.length === 0 ? (
        <p className="hint">No clients yet.</p>
      ) : (
        clients.map((c) => (
          <label key={c.id} className="check">
            <input
              type="checkbox"
              checked={selected.includes(c.id)}
              onChange={(e) => onChange(e.target.checked ? [...selected, c.id] : selected.filter((x) => x !== c.id))}
            />
            {c.displayName}
            {c.deactivated && <span className="muted"> (deactivated)</span>}
          </label>
        ))
      )}
    </fieldset>
  );
}
