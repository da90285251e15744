import { useId, useState } from 'react';
import { TYPO_FIX_MAX_EDITS } from '../../../src-shared/approvals';
import type { Workspace } from '../../../src-shared/contract';
import type { ErrorObject } from '../../../src-shared/errors';
import { act, useContract } from '../data/queries';
import { useRole } from '../data/session';
import { can } from '../permissions';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Facts, Notice, Section } from '../ui/Section';

const rule =
  `A typo fix changes only the text, by at most ${TYPO_FIX_MAX_EDITS} characters in all, ` +
  'and neither images, accounts nor time.';

/**
 * The workspace's approval settings (issue 13 item 1): whether a typo fix of an approved post
 * keeps its approval. Saved as soon as the box changes; the activity log records each change.
 */
export function ApprovalSettingsSection({ workspace }: { workspace: Workspace }) {
  const id = useId();
  const role = useRole();
  const settings = useContract('approval.getSettings', { workspaceId: workspace.id });
  // What the person just chose, shown at once while it is saved, until a newer value is read.
  const [chosen, setChosen] = useState<{ value: boolean; over: boolean | undefined } | null>(null);
  const [saving, setSaving] = useState(false);
  const saved = settings.data?.typoFixKeepsApproval;
  const [said, setSaid] = useState('');
  const [error, setError] = useState<ErrorObject | null>(null);
  const on = chosen && chosen.over === saved ? chosen.value : saved;
  const change = async (keep: boolean) => {
    setChosen({ value: keep, over: saved });
    setSaving(true);
    setSaid('');
    const res = await act('approval.setSettings', { workspaceId: workspace.id, typoFixKeepsApproval: keep });
    setSaving(false);
    if (!res.ok) setChosen(null);
    setError(res.ok ? null : res.error);
    if (res.ok)
      setSaid(
        keep ? 'Saved: typo fixes keep an approval.' : 'Saved: every edit of an approved post goes back for review.',
      );
  };
  return (
    <Section
      title="Approvals"
      intro="Editing an approved post sends it back for review, so reviewers see what really goes out."
    >
      {settings.error && <ErrorAlert error={settings.error} />}
      {on !== undefined &&
        (can(role, 'approval.configure') ? (
          <div className="field">
            <label className="check">
              <input
                type="checkbox"
                checked={on}
                disabled={saving}
                aria-describedby={`${id}-hint`}
                onChange={(e) => void change(e.target.checked)}
              />
              Typo fixes keep an approval
            </label>
            <p className="hint" id={`${id}-hint`}>
              {rule} The activity log records each one.
            </p>
          </div>
        ) : (
          <Facts items={[['Typo fixes keep an approval', on ? 'Yes' : 'No']]} />
        ))}
      {error && <ErrorAlert error={error} />}
      <Notice>{said}</Notice>
    </Section>
  );
}
