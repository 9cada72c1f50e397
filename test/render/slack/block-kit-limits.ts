import type { SlackMessage } from '../../../src/render/slack/report-blocks.js';

/**
 * Slack rejects a whole message when any Block Kit limit is exceeded; this lists every violation, written from
 * Slack's documentation independently of the renderer's own constants.
 */
export function blockKitViolations(message: SlackMessage): string[] {
  const v: string[] = [];
  const len = (t: unknown) => (typeof t === 'string' ? t.length : 0);
  if (message.blocks.length > 50) v.push(`${message.blocks.length} blocks`);
  if (!message.text) v.push('empty fallback text');
  const confirm = (c: Record<string, unknown> | undefined, where: string) => {
    if (!c) return;
    const text = (c.text as { text?: string }).text;
    if (len(text) > 300) v.push(`${where} confirm text ${len(text)}`);
    if (len((c.title as { text?: string } | undefined)?.text) > 100) v.push(`${where} confirm title`);
    for (const k of ['confirm', 'deny'])
      if (len((c[k] as { text?: string } | undefined)?.text) > 30) v.push(`${where} confirm ${k}`);
  };
  message.blocks.forEach((b, i) => {
    const block = b as unknown as Record<string, unknown>;
    const where = `block ${i} (${String(block.type)})`;
    if (len(block.block_id) > 255) v.push(`${where} block_id`);
    switch (block.type) {
      case 'header':
        if (len((block.text as { text: string }).text) > 150) v.push(`${where} header text`);
        break;
      case 'section': {
        const text = (block.text as { text?: string } | undefined)?.text;
        if (text !== undefined && (text.length > 3000 || text.trim().length < 1)) v.push(`${where} text ${text.length}`);
        const fields = (block.fields as Array<{ text: string }> | undefined) ?? [];
        if (fields.length > 10) v.push(`${where} ${fields.length} fields`);
        fields.forEach((f) => f.text.length > 2000 && v.push(`${where} field ${f.text.length}`));
        if (text === undefined && fields.length === 0) v.push(`${where} has neither text nor fields`);
        break;
      }
      case 'context': {
        const els = block.elements as Array<{ text?: string }>;
        if (els.length > 10 || els.length < 1) v.push(`${where} ${els.length} elements`);
        els.forEach((e) => len(e.text) > 3000 && v.push(`${where} element ${len(e.text)}`));
        break;
      }
      case 'actions': {
        const els = block.elements as Array<Record<string, unknown>>;
        if (els.length > 25) v.push(`${where} ${els.length} elements`);
        for (const e of els) {
          if (len(e.action_id) > 255) v.push(`${where} action_id`);
          if (e.type === 'button') {
            if (len((e.text as { text: string }).text) > 75) v.push(`${where} button text`);
            if (len(e.value) > 2000) v.push(`${where} button value`);
          }
          if (e.type === 'static_select') {
            const options = e.options as Array<{ text: { text: string }; value: string }>;
            if (options.length > 100) v.push(`${where} ${options.length} options`);
            options.forEach((o) => {
              if (o.text.text.length > 75) v.push(`${where} option text`);
              if (o.value.length > 150) v.push(`${where} option value`);
            });
            if (len((e.placeholder as { text?: string } | undefined)?.text) > 150) v.push(`${where} placeholder`);
          }
          confirm(e.confirm as Record<string, unknown> | undefined, where);
        }
        break;
      }
    }
  });
  return v;
}
