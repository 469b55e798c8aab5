// Under `npm run docs:dev` only: the learner's last grades (.lab/progress.json, which the grader
// writes) at /@nlab/progress.json, each failed check with its title in both languages, for the
// lessons index and the lesson pages (theme/LessonProgress.vue). `docs:build` has no such
// address and its pages show nothing. The file is read at every request: a new grade shows on
// the next page load.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readProgress, type GradeResult } from '../../../grader/src/progress.ts';
import { checkText, LOCALES, readLesson, type Locale } from '../lessons.ts';

export const PROGRESS_PATH = '/@nlab/progress.json';

export interface ShownCheck {
  id: string;
  title: Record<Locale, string>;
}
export interface ShownGrade {
  score: number;
  total: number;
  kernel: string;
  at: string;
  /** Undefined for a grade recorded before the grader kept failed checks. */
  failed?: ShownCheck[];
  /** A partial grade's checks (`--only`). */
  checks?: string[];
}
export type ShownProgress = Record<string, { full?: ShownGrade; partial?: ShownGrade }>;

function shown(lessonId: string, g: GradeResult & { checks?: string[] }): ShownGrade {
  let checks: ReturnType<typeof readLesson>['checks'] = [];
  try {
    checks = readLesson(lessonId).checks;
  } catch {
    // a lesson that is gone: its ids stay, without titles
  }
  const title = (id: string): Record<Locale, string> => {
    const c = checks.find((x) => x.id === id);
    return Object.fromEntries(LOCALES.map((l) => [l, c ? checkText(lessonId, c, l).title : id])) as Record<Locale, string>;
  };
  return {
    score: g.score,
    total: g.total,
    kernel: g.kernel,
    at: g.at,
    ...(g.failed ? { failed: g.failed.map((id) => ({ id, title: title(id) })) } : {}),
    ...(g.checks ? { checks: g.checks } : {}),
  };
}

/** The progress file as the pages show it. */
export function shownProgress(file?: string): ShownProgress {
  return Object.fromEntries(
    Object.entries(readProgress(file)).map(([id, e]) => [id, { ...(e.full ? { full: shown(id, e.full) } : {}), ...(e.partial ? { partial: shown(id, e.partial) } : {}) }]),
  );
}

/** The dev server's plugin (typed structurally: the site's Vite is VitePress's own copy). */
export function devProgress(): { name: string; apply: 'serve'; configureServer: (server: { middlewares: { use: (path: string, fn: (req: IncomingMessage, res: ServerResponse) => void) => void } }) => void } {
  return {
    name: 'nlab-dev-progress',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use(PROGRESS_PATH, (_req, res) => {
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('Cache-Control', 'no-store');
        res.end(JSON.stringify(shownProgress()));
      });
    },
  };
}
