import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { defineConfig, type DefaultTheme } from 'vitepress';
import { browserOs } from './gen/browser-os.ts';
import { writeClientReference } from './gen/client-reference.ts';
import { devProgress } from './gen/dev-progress.ts';
import { COPY_TITLE, labDirectives } from './markdown/lab-directives.ts';
import { localizeThemeHtml } from './theme/labels.ts';
import { tokenize } from './theme/search-tokenize.ts';
import { courseParts, docsDir, lessonNumber, lessonPageExists, lessonTitle, listLessons, partLabel, partText, repoRoot, type Locale } from './lessons.ts';

// The client reference is generated from client/src's TSDoc before VitePress looks for pages.
writeClientReference(docsDir, join(repoRoot, 'client/src/index.ts'));

/**
 * "Edit this page" target: DOCS_REPO_URL (e.g. https://github.com/org/netlink-lab), else the
 * git remote `origin` if it is a GitHub/GitLab https or ssh URL; with neither, no link at all
 * rather than one that leads nowhere.
 */
export function editLinkPattern(env = process.env, remote = gitRemote()): string | undefined {
  let base = env.DOCS_REPO_URL?.trim();
  if (!base && remote) {
    const ssh = /^git@([^:]+):(.+?)(\.git)?$/.exec(remote);
    base = ssh ? `https://${ssh[1]}/${ssh[2]}` : /^https:\/\//.test(remote) ? remote.replace(/\.git$/, '') : undefined;
  }
  if (!base) return undefined;
  if (base.includes(':path')) return base;
  return `${base.replace(/\/$/, '')}/edit/${env.DOCS_REPO_BRANCH ?? 'main'}/docs/:path`;
}

function gitRemote(): string | undefined {
  try {
    return execFileSync('git', ['remote', 'get-url', 'origin'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

const L = {
  en: {
    label: 'English',
    lang: 'en-US',
    description: 'Add a netlink interface to a Linux kernel module, step by step, graded in a throwaway VM.',
    start: 'Start here',
    article: 'The article',
    lessons: 'Lessons',
    courseMap: 'All lessons at a glance',
    reference: 'Reference',
    lesson: (n: number) => `${n}.`,
    startItems: [
      ['Setup', '/start/setup'],
      ['The lab VM', '/start/lab-vm'],
      ['How grading works', '/start/grading'],
      ['Reading a report', '/start/reports'],
    ],
    articleItems: [
      ['The article, section by section', '/article/'],
      ['Its ten flaws', '/article/flaws'],
    ],
    capstone: ['Capstone: the article and lesson 11', '/capstone'],
    refItems: [
      ['Kernel netlink APIs', '/reference/kernel-api'],
      ['Client library', '/reference/client'],
      ['Sending a family upstream', '/reference/upstream'],
      ['Message viewer', '/viewer'],
      ['Troubleshooting', '/troubleshooting'],
    ],
    editText: 'Edit this page',
    outline: 'On this page',
    prev: 'Previous',
    next: 'Next',
    lastUpdated: 'Last updated',
    notFound: {
      title: 'PAGE NOT FOUND',
      quote: 'There is no page at this address: it may have moved, or the link may be mistyped.',
      linkLabel: 'Go to the home page',
      linkText: 'Take me home',
    },
  },
  'zh-CN': {
    label: '简体中文',
    lang: 'zh-CN',
    description: '一步步为 Linux 内核模块加上 netlink 接口，在一次性虚拟机中自动评分。',
    start: '从这里开始',
    article: '原文',
    lessons: '课程',
    courseMap: '全部课程一览',
    reference: '参考',
    lesson: (n: number) => `${n}.`,
    startItems: [
      ['环境准备', '/zh-CN/start/setup'],
      ['实验虚拟机', '/zh-CN/start/lab-vm'],
      ['评分如何进行', '/zh-CN/start/grading'],
      ['读懂评分报告', '/zh-CN/start/reports'],
    ],
    articleItems: [
      ['逐节对照原文', '/zh-CN/article/'],
      ['原文的十个缺陷', '/zh-CN/article/flaws'],
    ],
    capstone: ['总结：原文与第 11 课', '/zh-CN/capstone'],
    refItems: [
      ['内核 netlink API', '/zh-CN/reference/kernel-api'],
      ['客户端库', '/zh-CN/reference/client'],
      ['把 family 提交到上游', '/zh-CN/reference/upstream'],
      ['消息查看器', '/zh-CN/viewer'],
      ['故障排查', '/zh-CN/troubleshooting'],
    ],
    editText: '编辑此页',
    outline: '本页内容',
    prev: '上一页',
    next: '下一页',
    lastUpdated: '最后更新',
    notFound: {
      title: '页面未找到',
      quote: '这个地址上没有页面：它可能已经移走，也可能是链接写错了。',
      linkLabel: '前往首页',
      linkText: '回到首页',
    },
  },
} as const;

/** Lesson groups for the sidebar, by part, from the lesson folders that have a page in this locale. */
export function lessonSidebar(locale: Locale): DefaultTheme.SidebarItem[] {
  const t = L[locale];
  const prefix = locale === 'en' ? '' : '/zh-CN';
  return courseParts(listLessons().filter((l) => lessonPageExists(l.id, locale))).map(({ part, lessons }) => ({
    text: `${partLabel(part, locale)} · ${partText(part, locale).title}`,
    collapsed: false,
    items: lessons.map((l) => ({ text: `${t.lesson(lessonNumber(l.id))} ${lessonTitle(l.id, locale, l)}`, link: `${prefix}/lessons/${l.id}` })),
  }));
}

function themeConfig(locale: Locale): DefaultTheme.Config {
  const t = L[locale];
  const items = (list: readonly (readonly [string, string])[]) => list.map(([text, link]) => ({ text, link }));
  const lessons = lessonSidebar(locale);
  const prefix = locale === 'en' ? '' : '/zh-CN';
  const pattern = editLinkPattern();
  return {
    nav: [
      { text: t.start, link: t.startItems[0][1] },
      { text: t.article, link: t.articleItems[0][1] },
      // The course map; highlighted on every lesson page.
      { text: t.lessons, link: `${prefix}/lessons/`, activeMatch: `^${prefix}/lessons/` },
      { text: t.reference, items: items(t.refItems) },
    ],
    sidebar: [
      { text: t.start, items: items(t.startItems) },
      { text: t.article, items: items(t.articleItems) },
      { text: t.courseMap, link: `${prefix}/lessons/` },
      ...lessons,
      { text: t.capstone[0], link: t.capstone[1] },
      { text: t.reference, items: items(t.refItems) },
    ],
    ...(pattern ? { editLink: { pattern, text: t.editText } } : {}),
    outline: { level: [2, 3], label: t.outline },
    docFooter: { prev: t.prev, next: t.next },
    // The 404 page takes the locale of the missing URL (/zh-CN/… shows this in Chinese).
    notFound: { ...t.notFound, code: '404' },
    ...(locale === 'zh-CN'
      ? {
          langMenuLabel: '切换语言',
          returnToTopLabel: '回到顶部',
          sidebarMenuLabel: '菜单',
          darkModeSwitchLabel: '外观',
          lightModeSwitchTitle: '切换到浅色模式',
          darkModeSwitchTitle: '切换到深色模式',
          skipToContentLabel: '跳到正文',
        }
      : {}),
  };
}

export default defineConfig({
  title: 'Netlink Lab',
  description: L.en.description,
  cleanUrls: true,
  lastUpdated: false,
  // docs/README.md documents the site for its authors; it is not a page.
  srcExclude: ['README.md', 'test/**'],
  head: [
    ['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }],
    ['meta', { name: 'theme-color', content: '#2f7d62' }],
  ],
  // The theme's fixed English screen-reader labels, in Chinese on zh-CN pages (theme/labels.ts).
  transformHtml: (html, _id, { pageData }) => (pageData.relativePath.startsWith('zh-CN/') ? localizeThemeHtml(html) : html),
  // The message viewer runs the client's codecs in the browser (theme/viewer/); under
  // docs:dev the pages show the learner's last grades (gen/dev-progress.ts).
  vite: { plugins: [browserOs(), devProgress()] },
  markdown: {
    config: (md) => md.use(labDirectives),
    codeCopyButtonTitle: COPY_TITLE.en,
    theme: { light: 'github-light', dark: 'github-dark' },
  },
  locales: {
    root: { label: L.en.label, lang: L.en.lang, description: L.en.description, themeConfig: themeConfig('en') },
    'zh-CN': { label: L['zh-CN'].label, lang: L['zh-CN'].lang, description: L['zh-CN'].description, themeConfig: themeConfig('zh-CN') },
  },
  themeConfig: {
    logo: '/favicon.svg',
    search: {
      provider: 'local',
      options: {
        // Chinese text is cut into words for the index; theme/index.ts gives the search box the same tokenizer.
        miniSearch: { options: { tokenize } },
        locales: {
          'zh-CN': {
            translations: {
              button: { buttonText: '搜索', buttonAriaLabel: '搜索' },
              modal: {
                displayDetails: '显示详细列表',
                resetButtonTitle: '清除查询',
                backButtonTitle: '关闭搜索',
                noResultsText: '没有找到结果',
                footer: { selectText: '选择', navigateText: '切换', closeText: '关闭' },
              },
            },
          },
        },
      },
    },
  },
});
