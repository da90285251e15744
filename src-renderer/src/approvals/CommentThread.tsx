import { CommentInput, type PostComment } from '../../../src-shared/approvals';
import type { PostGroup } from '../../../src-shared/posts';
import { act, useContract } from '../data/queries';
import { useRole } from '../data/session';
import { useContractForm } from '../forms/useContractForm';
import { can } from '../permissions';
import { formatInZone } from '../posts/posts';
import { Field, SelectField } from '../ui/Field';
import { FormShell } from '../ui/FormShell';
import { ErrorAlert } from '../ui/ErrorAlert';
import { commentParts } from './approvalText';

const authorKinds: Record<PostComment['authorKind'], string> = {
  member: '',
  api_key: ' (through the API)',
  client_link: ' (client, through the approval link)',
};

const visibilityOptions = [
  { value: 'client', label: 'Client-visible comment', hint: 'The client sees it on the approval page too.' },
  { value: 'internal', label: 'Internal note', hint: 'Only your team sees it.' },
] as const;

/** The comments on a post, oldest first, and a form to add one (issue 13 item 3). */
export function CommentThread({ workspaceId, group, zone }: { workspaceId: string; group: PostGroup; zone: string }) {
  const role = useRole();
  const comments = useContract('post.comments', { workspaceId, id: group.id });
  const mayNote = can(role, 'comment.internal');
  const form = useContractForm<{ body: string; visibility: 'client' | 'internal' }>({
    schema: CommentInput,
    defaultValues: { body: '', visibility: 'client' },
  });
  const onSubmit = form.submit(async (_values, input) => {
    const res = await act('post.addComment', { workspaceId, id: group.id, comment: input });
    if (!res.ok) return res.error;
    form.reset({ body: '', visibility: input.visibility ?? 'client' });
  });

  return (
    <>
      {comments.error && <ErrorAlert error={comments.error} />}
      {comments.data && comments.data.length === 0 && <p className="muted">No comments yet.</p>}
      {comments.data && comments.data.length > 0 && (
        <ol className="comment-thread" aria-label="Comments">
          {comments.data.map((c) => (
            <li key={c.id} className={c.visibility === 'internal' ? 'comment comment-internal' : 'comment'}>
              <p className="comment-meta">
                <strong>{c.authorName}</strong>
                <span className="muted">{authorKinds[c.authorKind]}</span>
                {' · '}
                <time dateTime={c.createdAt}>{formatInZone(c.createdAt, zone)}</time>{' '}
                {c.visibility === 'internal' ? (
                  <span className="badge badge-internal">Internal note</span>
                ) : (
                  <span className="badge badge-client-visible">Client sees this</span>
                )}
              </p>
              <p className="comment-body">
                {commentParts(c).map((part, i) =>
                  part.mention ? (
                    <mark key={i} className="mention">
                      {part.text}
                    </mark>
                  ) : (
                    <span key={i}>{part.text}</span>
                  ),
                )}
              </p>
            </li>
          ))}
        </ol>
      )}
      {can(role, 'post.comment') && (
        <FormShell
          form={form}
          onSubmit={onSubmit}
          submit="Add comment"
          busyLabel="Adding…"
          title="Add a comment"
          level={3}
        >
          <Field
            label="Comment"
            hint="Mention a teammate with @ and their first name."
            required
            error={form.errorOf('body')}
          >
            {(control) => <textarea rows={3} {...control} {...form.register('body')} />}
          </Field>
          {mayNote && <SelectField form={form} name="visibility" label="Who sees it" options={visibilityOptions} />}
        </FormShell>
      )}
    </>
  );
}
