import { useState, type FormEvent } from 'react';
import type { ManagedUser } from '../../../src-shared/clients';
import type { ResponseOf, Workspace } from '../../../src-shared/contract';
import type { Connection } from '../../../src-shared/connections';
import { useContractMutation } from '../data/queries';
import { atHandle } from '../posts/posts';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Field } from '../ui/Field';
import { Notice } from '../ui/Section';
import { accountName } from './names';
import { Action } from '../ui/Action';
import { Options } from '../ui/Options';

type Credentials = ResponseOf<'connection.credentials'>;

/**
 * LinkedIn's author: the person who connected, or an organisation page they administer. With
 * organisation pages on, "Find pages" lists the pages by name and a select replaces the URN field;
 * until then (or when the list cannot be loaded) the URN is typed.
 */
export function PostAsForm({
  workspace,
  user,
  connection: c,
  credentials,
  who,
}: {
  workspace: Workspace;
  user: ManagedUser;
  connection: Connection;
  credentials: Credentials;
  who: string;
}) {
  const [value, setValue] = useState(credentials.postAs ?? '');
  // The stored choice changed (saved here or elsewhere): the field follows it.
  const [stored, setStored] = useState(credentials.postAs);
  if (stored !== credentials.postAs) {
    setStored(credentials.postAs);
    setValue(credentials.postAs ?? '');
  }
  const findPages = useContractMutation('connection.pages');
  const save = useContractMutation('connection.setPostAs');
  const [notice, setNotice] = useState('');
  const busy = findPages.isPending || save.isPending;
  const error = save.isIdle ? findPages.error : save.error;
  const pages = findPages.data?.length ? findPages.data : null;
  const locked = !credentials.canChangePostAs;
  const pagesOn = workspace.integrations.some((i) => i.platform === 'linkedin' && i.organizationPages);
  const ref = { workspaceId: workspace.id, userId: user.id, platformId: c.platformId };
  const nameOf = (urn: string) => pages?.find((p) => p.urn === urn)?.name ?? urn;

  function find() {
    setNotice('');
    save.reset();
    findPages.mutate(ref, {
      onSuccess: (found) =>
        setNotice(
          found.length === 0
            ? `No pages found: ${c.displayName || atHandle(c.handle)} administers no LinkedIn page.`
            : `${found.length} ${found.length === 1 ? 'page' : 'pages'} found. Choose one and save.`,
        ),
    });
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy || locked) return;
    setNotice('');
    save.mutate(
      { ...ref, postAs: value.trim() || null },
      {
        onSuccess: ({ postAs }) =>
          setNotice(postAs ? `Posts as ${nameOf(postAs)}.` : 'Posts as the person who connected.'),
      },
    );
  }

  const hint = locked
    ? `Only ${who} can change who this account posts as.`
    : pages
      ? 'Choose the person who connected or one of the pages they administer.'
      : pagesOn
        ? 'Empty posts as the person who connected. "Find pages" lists the pages they administer.'
        : 'Empty posts as the person who connected. ' +
          'Posting as a page needs organisation pages turned on in the LinkedIn integration.';

  return (
    <form className="inline-form" aria-label={`Post as for ${accountName(c)}`} onSubmit={onSubmit} aria-busy={busy}>
      <Field label="Post as" hint={hint}>
        {(control) =>
          pages ? (
            <select {...control} disabled={locked || busy} value={value} onChange={(e) => setValue(e.target.value)}>
              <option value="">The person who connected</option>
              <Options options={pages.map((p) => ({ value: p.urn, label: p.name }))} />
              {/* A choice stored before (typed, or a page no longer listed) stays selectable until changed. */}
              {value !== '' && !pages.some((p) => p.urn === value) && <option value={value}>{value}</option>}
            </select>
          ) : (
            <input
              {...control}
              type="text"
              autoComplete="off"
              placeholder="urn:li:organization:12345"
              disabled={locked || busy}
              aria-invalid={error ? true : undefined}
              value={value}
              onChange={(e) => setValue(e.target.value)}
            />
          )
        }
      </Field>
      {pagesOn && !locked && !pages && (
        <Action small disabled={busy} onClick={find}>
          {findPages.isPending ? 'Finding pages…' : 'Find pages'}
        </Action>
      )}
      <button type="submit" className="button small" disabled={locked || busy}>
        Save
      </button>
      {error && <ErrorAlert error={error} />}
      <Notice>{notice}</Notice>
    </form>
  );
}
