import type { DetailBlock } from '../../domain/finding.js';

/** The widest table cell the renderers show whole (alignTable cuts longer ones). */
export const TABLE_CELL_CHARS = 80;

/**
 * Text from outside — a log line, a response body — cut into table cells the renderers keep whole. Outside text
 * goes in a `table` detail, never a `text` one: a table is rendered as a code block (escaped, backticks replaced),
 * so ``` or `*_~` in it cannot end the block or restyle the message, where a `text` detail is mrkdwn.
 */
export function wrapCells(line: string, width = TABLE_CELL_CHARS): string[] {
  let rest = [...line.replace(/\t/g, '  ').trimEnd()];
  const cells: string[] = [];
  while (rest.length > width) {
    // At the last space that leaves at least half a cell, else mid-word.
    const space = rest.lastIndexOf(' ', width);
    const cut = space >= width / 2 ? space + 1 : width;
    cells.push(rest.slice(0, cut).join('').trimEnd());
    rest = rest.slice(cut);
  }
  cells.push(rest.join(''));
  return cells;
}

/** Outside text of several lines (a reply, an HTML error page) as one table: an escaped code block, never mrkdwn. */
export function excerptTable(caption: string, text: string): DetailBlock {
  return { kind: 'table', caption, columns: ['excerpt'], rows: text.split(/\r?\n/).flatMap((line) => wrapCells(line).map((cell) => [cell])) };
}
