/**
 * Writing a case: the persona, the facts (each may be revealed only when asked), the instructions,
 * the rubric (the weights' sum shown, each item's cues), duration, attempts and voice. Beside the
 * form, the patient's instructions as the model will get them, compiled live by the same code the
 * worker and text channel use. Save, "Try it" (a preview session by typing), publish, and the
 * published versions with what changed between them.
 */
import type { CaseStudyContent, Fact, RubricItem } from '@sp/core';
import { compilePersona } from '@sp/persona';
import { useQueryClient } from '@tanstack/react-query';
import { cloneElement, type ReactElement, useId, useMemo, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import {
  createCase,
  previewCase,
  publishCase,
  saveCase,
  useAuthoredCase,
  useCaseVersions,
  useVersionDiff,
  withdrawCase,
} from '../api/authoring';
import { ApiError } from '../api/client';
import { attach } from '../session/remembered-sessions';
import { statusWords } from './case-list-page';

type Content = Omit<CaseStudyContent, 'published'>;

const NEW_CASE: Content = {
  slug: '',
  title: '',
  description: '',
  persona: { name: '', age: 40, sex: 'unspecified', personality: '', openingLine: '' },
  facts: [{ id: 'fact-1', topic: '', content: '', keywords: [], disclosure: 'volunteer' }],
  instructions: '',
  rubric: [{ id: 'item-1', title: '', criteria: '', weight: 1, cues: [] }],
  durationLimit: 600,
  maxAttempts: 3,
};

type Problem = { field: string; message: string };

export function CaseEditorPage() {
  const { caseId: param } = useParams<{ caseId: string }>();
  const caseId = param === 'new' ? null : param;
  const found = useAuthoredCase(caseId);
  if (caseId && found.isPending) return <p>Loading…</p>;
  if (caseId && found.error) return <p role="alert">The case could not be loaded: {found.error.message}</p>;
  const initial = (found.data?.content as Content | undefined) ?? NEW_CASE;
  // Keyed by the case alone: saving refreshes the status, never the form being typed in.
  return <Editor key={caseId ?? 'new'} caseId={caseId} initial={initial} />;
}

function Editor({ caseId, initial }: { caseId: string | null; initial: Content }) {
  const [content, setContent] = useState<Content>(initial);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const found = useAuthoredCase(caseId);
  const set = (patch: Partial<Content>) => setContent((c) => ({ ...c, ...patch }));
  const setPersona = (patch: Partial<Content['persona']>) =>
    setContent((c) => ({ ...c, persona: { ...c.persona, ...patch } }));
  const setFact = (i: number, patch: Partial<Fact>) =>
    setContent((c) => ({ ...c, facts: c.facts.map((f, j) => (j === i ? { ...f, ...patch } : f)) }));
  const setItem = (i: number, patch: Partial<RubricItem>) =>
    setContent((c) => ({ ...c, rubric: c.rubric.map((r, j) => (j === i ? { ...r, ...patch } : r)) }));

  const compiled = useMemo(() => {
    try {
      return compilePersona({ persona: content.persona, facts: content.facts, instructions: content.instructions });
    } catch {
      return '';
    }
  }, [content.persona, content.facts, content.instructions]);
  const weightSum = content.rubric.reduce((sum, r) => sum + (Number.isFinite(r.weight) ? r.weight : 0), 0);

  /** Saves the form (creating the case the first time) and answers its id, or null when refused. */
  async function save(): Promise<string | null> {
    setProblems([]);
    try {
      const saved = caseId ? await saveCase(caseId, content) : await createCase(content);
      await queryClient.invalidateQueries({ queryKey: ['authoring'] });
      return saved.id;
    } catch (error) {
      if (error instanceof ApiError && Array.isArray(error.details.fields)) {
        setProblems(error.details.fields as Problem[]);
      } else setProblems([{ field: '(case)', message: error instanceof Error ? error.message : String(error) }]);
      return null;
    }
  }
  async function run(what: string, action: (id: string) => Promise<void>) {
    setBusy(true);
    setNotice(null);
    try {
      const id = await save();
      if (id) await action(id);
      else setNotice(null);
    } catch (error) {
      setProblems([{ field: what, message: error instanceof Error ? error.message : String(error) }]);
    } finally {
      setBusy(false);
    }
  }
  const onSave = () =>
    run('save', async (id) => {
      setNotice('Saved.');
      if (!caseId) navigate(`/staff/cases/${id}`, { replace: true });
    });
  const onTry = () =>
    run('preview', async (id) => {
      const { session_id } = await previewCase(id);
      // The typing page carries straight on in a session this tab started.
      attach(session_id);
      navigate(`/sessions/${session_id}/text`);
    });
  const onPublish = () =>
    run('publish', async (id) => {
      const published = await publishCase(id);
      await queryClient.invalidateQueries({ queryKey: ['authoring'] });
      setNotice(`Published as version ${published.latest_version}.`);
      if (!caseId) navigate(`/staff/cases/${id}`, { replace: true });
    });

  const status = found.data?.status;
  const [confirmArchive, setConfirmArchive] = useState(false);
  async function withdraw(how: 'unpublish' | 'archive') {
    if (!caseId) return;
    setBusy(true);
    try {
      await withdrawCase(caseId, how);
      await queryClient.invalidateQueries({ queryKey: ['authoring'] });
      setNotice(
        how === 'archive' ? 'Archived: the case can no longer change.' : 'Unpublished: students no longer see it.',
      );
    } catch (error) {
      setProblems([{ field: how, message: error instanceof Error ? error.message : String(error) }]);
    } finally {
      setBusy(false);
      setConfirmArchive(false);
    }
  }
  return (
    <section className="staff authoring">
      <p>
        <Link href="/staff/cases">All case studies</Link>
      </p>
      <h1>{caseId ? `Edit: ${found.data?.content.title ?? initial.title}` : 'New case study'}</h1>
      {found.data && (
        <p data-testid="case-status">
          Status: {statusWords[found.data.status]}
          {found.data.latest_version !== null && `, latest version ${found.data.latest_version}`}
          {found.data.unpublished_changes && found.data.latest_version !== null && ' (unpublished changes)'}
        </p>
      )}
      <div className="editor-columns">
        <form
          aria-label="Case study"
          onSubmit={(e) => {
            e.preventDefault();
            void onSave();
          }}
        >
          <fieldset>
            <legend>The case</legend>
            <Field label="Case title">
              <input value={content.title} onChange={(e) => set({ title: e.target.value })} required />
            </Field>
            <Field label="Slug">
              <input value={content.slug} onChange={(e) => set({ slug: e.target.value })} required />
            </Field>
            <Field label="Description">
              <textarea rows={4} value={content.description} onChange={(e) => set({ description: e.target.value })} />
            </Field>
            <Field label="Duration (seconds)">
              <input
                type="number"
                min={10}
                value={content.durationLimit}
                onChange={(e) => set({ durationLimit: Number(e.target.value) })}
              />
            </Field>
            <Field label="Attempts per student">
              <input
                type="number"
                min={1}
                value={content.maxAttempts}
                onChange={(e) => set({ maxAttempts: Number(e.target.value) })}
              />
            </Field>
          </fieldset>
          <fieldset>
            <legend>The patient</legend>
            <Field label="Patient name">
              <input value={content.persona.name} onChange={(e) => setPersona({ name: e.target.value })} />
            </Field>
            <Field label="Age">
              <input
                type="number"
                min={0}
                value={content.persona.age}
                onChange={(e) => setPersona({ age: Number(e.target.value) })}
              />
            </Field>
            <Field label="Sex">
              <select
                value={content.persona.sex}
                onChange={(e) => setPersona({ sex: e.target.value as Content['persona']['sex'] })}
              >
                <option value="female">female</option>
                <option value="male">male</option>
                <option value="intersex">intersex</option>
                <option value="unspecified">unspecified</option>
              </select>
            </Field>
            <Field label="Personality">
              <textarea
                rows={4}
                value={content.persona.personality}
                onChange={(e) => setPersona({ personality: e.target.value })}
              />
            </Field>
            <Field label="Opening line">
              <input
                value={content.persona.openingLine}
                onChange={(e) => setPersona({ openingLine: e.target.value })}
              />
            </Field>
            <Field label="Voice">
              <input
                value={content.persona.voice ?? ''}
                onChange={(e) => setPersona({ voice: e.target.value || undefined })}
              />
            </Field>
            <Field label="Instructions for the patient">
              <textarea rows={4} value={content.instructions} onChange={(e) => set({ instructions: e.target.value })} />
            </Field>
          </fieldset>
          <fieldset>
            <legend>Facts</legend>
            {content.facts.map((fact, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: an entry is its position; its id is being edited
              <fieldset key={i} className="entry">
                <legend>Fact {i + 1}</legend>
                <Field label="Fact id">
                  <input value={fact.id} onChange={(e) => setFact(i, { id: e.target.value })} />
                </Field>
                <Field label="Topic">
                  <input value={fact.topic} onChange={(e) => setFact(i, { topic: e.target.value })} />
                </Field>
                <Field label="What the patient says">
                  <textarea rows={3} value={fact.content} onChange={(e) => setFact(i, { content: e.target.value })} />
                </Field>
                <Field label="Keywords (comma-separated)">
                  <ListInput value={fact.keywords} onChange={(keywords) => setFact(i, { keywords })} />
                </Field>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={fact.disclosure === 'when_asked'}
                    onChange={(e) => setFact(i, { disclosure: e.target.checked ? 'when_asked' : 'volunteer' })}
                  />{' '}
                  Reveal only when asked
                </label>
                <button
                  type="button"
                  onClick={() => set({ facts: content.facts.filter((_, j) => j !== i) })}
                  disabled={content.facts.length === 1}
                >
                  Remove fact {i + 1}
                </button>
              </fieldset>
            ))}
            <button
              type="button"
              onClick={() =>
                set({
                  facts: [
                    ...content.facts,
                    {
                      id: `fact-${content.facts.length + 1}`,
                      topic: '',
                      content: '',
                      keywords: [],
                      disclosure: 'volunteer',
                    },
                  ],
                })
              }
            >
              Add a fact
            </button>
          </fieldset>
          <fieldset>
            <legend>Rubric</legend>
            <p data-testid="weight-sum">Weights sum: {weightSum}</p>
            {content.rubric.map((item, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: an entry is its position; its id is being edited
              <fieldset key={i} className="entry">
                <legend>Item {i + 1}</legend>
                <Field label="Item id">
                  <input value={item.id} onChange={(e) => setItem(i, { id: e.target.value })} />
                </Field>
                <Field label="Item title">
                  <input value={item.title} onChange={(e) => setItem(i, { title: e.target.value })} />
                </Field>
                <Field label="What counts as met">
                  <textarea rows={2} value={item.criteria} onChange={(e) => setItem(i, { criteria: e.target.value })} />
                </Field>
                <Field label="Weight">
                  <input
                    type="number"
                    step="any"
                    min={0}
                    value={item.weight}
                    onChange={(e) => setItem(i, { weight: Number(e.target.value) })}
                  />
                </Field>
                {item.elements && item.elements.length > 0 ? (
                  item.elements.map((element, k) => (
                    <Field key={element.id} label={`Cues for ${element.label}`}>
                      <ListInput
                        value={element.cues}
                        onChange={(cues) =>
                          setItem(i, {
                            elements: item.elements?.map((el, m) => (m === k ? { ...el, cues } : el)),
                          })
                        }
                      />
                    </Field>
                  ))
                ) : (
                  <Field label="Cues (comma-separated)">
                    <ListInput value={item.cues} onChange={(cues) => setItem(i, { cues })} />
                  </Field>
                )}
                <button
                  type="button"
                  onClick={() => set({ rubric: content.rubric.filter((_, j) => j !== i) })}
                  disabled={content.rubric.length === 1}
                >
                  Remove item {i + 1}
                </button>
              </fieldset>
            ))}
            <button
              type="button"
              onClick={() =>
                set({
                  rubric: [
                    ...content.rubric,
                    { id: `item-${content.rubric.length + 1}`, title: '', criteria: '', weight: 1, cues: [] },
                  ],
                })
              }
            >
              Add a rubric item
            </button>
          </fieldset>
          {problems.length > 0 && (
            <div role="alert" className="problems">
              <p>The case was not saved:</p>
              <ul>
                {problems.map((p) => (
                  <li key={`${p.field}:${p.message}`}>
                    <code>{p.field}</code>: {p.message}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {notice && <p role="status">{notice}</p>}
          <div className="actions">
            <button type="submit" disabled={busy}>
              Save
            </button>
            <button type="button" disabled={busy} onClick={() => void onTry()}>
              Try it
            </button>
            <button type="button" disabled={busy} onClick={() => void onPublish()}>
              Publish
            </button>
            {status === 'published' && (
              <button type="button" disabled={busy} onClick={() => void withdraw('unpublish')}>
                Unpublish
              </button>
            )}
            {status && status !== 'archived' && !confirmArchive && (
              <button type="button" disabled={busy} onClick={() => setConfirmArchive(true)}>
                Archive…
              </button>
            )}
            {confirmArchive && (
              <button type="button" disabled={busy} onClick={() => void withdraw('archive')}>
                Archive for good
              </button>
            )}
          </div>
        </form>
        <aside aria-label="Compiled patient instructions">
          <h2>What the patient model is told</h2>
          <pre className="compiled" data-testid="compiled-instructions">
            {compiled}
          </pre>
        </aside>
      </div>
      {caseId && <Versions caseId={caseId} />}
    </section>
  );
}

/** A labelled control: the label names the one control given as the child. */
function Field({ label, children }: { label: string; children: ReactElement<{ id?: string }> }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id })}
    </div>
  );
}

/** A list of words typed as "a, b, c": the text is kept as typed (the editor is remounted when the case reloads). */
function ListInput({ id, value, onChange }: { id?: string; value: string[]; onChange: (list: string[]) => void }) {
  const [text, setText] = useState(value.join(', '));
  return (
    <input
      id={id}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onChange(
          e.target.value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        );
      }}
    />
  );
}

function Versions({ caseId }: { caseId: string }) {
  const versions = useCaseVersions(caseId);
  const [shown, setShown] = useState<{ from: number; to: number | 'draft' } | null>(null);
  const diff = useVersionDiff(caseId, shown?.from ?? null, shown?.to ?? 'draft');
  const list = versions.data ?? [];
  return (
    <section aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions</h2>
      {list.length === 0 && <p>Not published yet.</p>}
      {list.length > 0 && (
        <ul className="versions">
          {list.map((v) => (
            <li key={v.id}>
              Version {v.number}, {new Date(v.created_at).toLocaleString()}
              {v.created_by && ` by ${v.created_by}`}{' '}
              {v.number > 1 && (
                <button type="button" onClick={() => setShown({ from: v.number - 1, to: v.number })}>
                  Changes from version {v.number - 1}
                </button>
              )}
              {v.number === list[0]?.number && (
                <button type="button" onClick={() => setShown({ from: v.number, to: 'draft' })}>
                  Unpublished changes
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {shown && diff.data && (
        <div aria-live="polite" data-testid="version-diff">
          <h3>
            {shown.to === 'draft' ? `Since version ${shown.from}` : `Version ${shown.from} to version ${shown.to}`}
          </h3>
          {diff.data.changes.length === 0 ? (
            <p>No changes.</p>
          ) : (
            <ul className="changes">
              {diff.data.changes.map((change) => (
                <li key={change.path}>
                  <code>{change.path}</code>: {show(change.before)} → {show(change.after)}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

const show = (value: unknown) =>
  value === null ? '(none)' : typeof value === 'string' ? `“${value}”` : JSON.stringify(value);
