import { CopyField } from '../ui/CopyField';
import { ErrorAlert } from '../ui/ErrorAlert';
import type { ClientKey } from './useClientKey';

/** What generating or revealing a client's key showed: the new key once, or the current one. */
export function ClientKeyPanels({
  keys,
  issued,
  revealed,
  none,
}: {
  keys: ClientKey;
  issued: { label: string; hint: string };
  revealed: { label: string };
  /** Said when the client has no key yet. */
  none: string;
}) {
  return (
    <>
      {keys.error && <ErrorAlert error={keys.error} />}
      {keys.issued && (
        <div className="secret-panel">
          <CopyField label={issued.label} value={keys.issued} hint={issued.hint} />
        </div>
      )}
      {keys.revealed !== undefined && (
        <div className="secret-panel">
          {keys.revealed === null ? (
            <p className="muted" role="status">
              {none}
            </p>
          ) : (
            <CopyField label={revealed.label} value={keys.revealed} />
          )}
        </div>
      )}
    </>
  );
}
