/**
 * The history of executed cells, answering `history_request` as IPython does for the current
 * session (`tail`, `range` and `search` with glob patterns). Kept in memory: a kernel restart
 * starts a new, empty history.
 */

/** One entry as sent: [session, line, input] or [session, line, [input, output]]. */
export type HistoryEntry = [number, number, string | [string, string | null]];

/** The fields of a `history_request` this uses. */
export interface HistoryRequest {
  output?: boolean;
  hist_access_type?: 'tail' | 'range' | 'search';
  session?: number;
  start?: number;
  stop?: number;
  n?: number | null;
  pattern?: string;
  unique?: boolean;
}

/** Session number of this kernel's history (IPython numbers sessions in its database; this has one). */
export const SESSION = 1;

interface Line {
  line: number;
  input: string;
  output: string | null;
}

/** `*` and `?` of a history search pattern as a regular expression (sqlite's GLOB, which IPython uses). */
function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${body}$`);
}

export class History {
  private readonly lines: Line[] = [];

  /** Records cell `line` (its execution count) with the text of its result, if any. */
  add(line: number, input: string, output: string | null = null): void {
    this.lines.push({ line, input, output });
  }

  /** The entries a `history_request` asks for. */
  query(request: HistoryRequest): HistoryEntry[] {
    let lines: Line[];
    switch (request.hist_access_type ?? 'tail') {
      case 'range': {
        const session = request.session ?? 0;
        // 0 is the current session, negative numbers count back from it: there is only this one.
        if (session !== SESSION && session !== 0) return [];
        const start = request.start ?? 1;
        const stop = request.stop ?? Infinity;
        lines = this.lines.filter((l) => l.line >= start && l.line < stop);
        break;
      }
      case 'search': {
        const regexp = globToRegExp(request.pattern ?? '*');
        lines = this.lines.filter((l) => regexp.test(l.input));
        if (request.unique) {
          const seen = new Set<string>();
          lines = lines.reverse().filter((l) => !seen.has(l.input) && seen.add(l.input)).reverse();
        }
        if (request.n) lines = lines.slice(-request.n);
        break;
      }
      default:
        lines = this.lines.slice(-(request.n ?? 10)); // IPython's default for a tail
    }
    return lines.map((l) => [SESSION, l.line, request.output ? [l.input, l.output] : l.input]);
  }
}
