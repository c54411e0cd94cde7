/** Previous and next page buttons for a paged list (`skip` rows from the start, `pageSize` a page). */
export function Pager({
  page,
  totalPages,
  skip,
  pageSize,
  onSkip,
  labels = ['Previous', 'Next'],
}: {
  page: number;
  totalPages: number;
  skip: number;
  pageSize: number;
  onSkip: (skip: number) => void;
  /** What the two buttons say, e.g. ['Newer', 'Older'] for a list newest first. */
  labels?: readonly [string, string];
}) {
  if (totalPages <= 1) return null;
  return (
    <nav className="actions" aria-label="Pages">
      <button type="button" disabled={skip === 0} onClick={() => onSkip(Math.max(0, skip - pageSize))}>
        {labels[0]}
      </button>
      <span>
        Page {page} of {totalPages}
      </span>
      <button type="button" disabled={page >= totalPages} onClick={() => onSkip(skip + pageSize)}>
        {labels[1]}
      </button>
    </nav>
  );
}
