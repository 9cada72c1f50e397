/**
 * Columns padded to their widest cell, so a table reads the same in a terminal and in a Slack code block.
 * Widths count code points, not UTF-16 units, so `…` or `█` does not shift a column.
 */
export function alignTable(
  headings: readonly string[],
  cells: readonly (readonly string[])[],
  opts: { gap?: number; maxCell?: number } = {},
): string[] {
  const gap = opts.gap ?? 2;
  const fit = (c: string) => clip(flat(c), opts.maxCell ?? 80);
  const columns = headings.map(fit);
  const rows = cells.map((r) => r.map(fit));
  const width = columns.map((c, i) => Math.max(len(c), ...rows.map((r) => len(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    columns
      .map((_, i) => {
        const cell = cells[i] ?? '';
        return i === columns.length - 1 ? cell : cell + ' '.repeat(width[i]! - len(cell) + gap);
      })
      .join('')
      .trimEnd();
  return [line(columns), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function len(text: string): number {
  return [...text].length;
}

/** A newline inside a cell would break every column after it. */
function flat(cell: string): string {
  return cell.replace(/\s*\n\s*/g, ' ');
}

function clip(cell: string, max: number): string {
  const chars = [...cell];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : cell;
}
