/** Every output format of `bimix check`. */
import { optionError } from '../../errors.js';
import type { CheckResult } from '../compare.js';
import { renderGithub } from './github.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderText } from './text.js';

/** An output format of `bimix check`. */
export type CheckFormat = 'text' | 'json' | 'junit' | 'github' | 'markdown';
/** Every output format. */
export const CHECK_FORMATS: readonly CheckFormat[] = ['text', 'json', 'junit', 'github', 'markdown'];

/** Validates a `--format` value. */
export function parseCheckFormat(raw: unknown): CheckFormat {
  if (typeof raw !== 'string' || !CHECK_FORMATS.includes(raw as CheckFormat)) throw optionError('--format', CHECK_FORMATS.join('|'), raw);
  return raw as CheckFormat;
}

/** Renders a check result in one of the formats. */
export function renderCheck(res: CheckResult, format: CheckFormat): string {
  switch (format) {
    case 'json':
      return renderJson(res);
    case 'junit':
      return renderJunit(res);
    case 'github':
      return renderGithub(res);
    case 'markdown':
      return renderMarkdown(res);
    default:
      return renderText(res);
  }
}

export { renderGithub, renderJson, renderJunit, renderMarkdown, renderText };
