import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import { defineAsyncComponent, h, nextTick } from 'vue';
import './custom.css';
import { localizeThemeDom } from './labels.ts';
import { installPrintFolds } from './print-folds.ts';
import { installSearchLoading } from './search-loading.ts';
import { tokenize } from './search-tokenize.ts';

// The learner's last grades, only under docs:dev: the build drops the component altogether.
const LessonProgress = import.meta.env.DEV ? defineAsyncComponent(() => import('./LessonProgress.vue')) : undefined;

export default {
  extends: DefaultTheme,
  Layout: () => h(DefaultTheme.Layout, null, LessonProgress ? { 'doc-before': () => h(LessonProgress) } : {}),
  enhanceApp({ app, siteData, router }) {
    // Only the viewer page loads the viewer and the client codecs it bundles.
    app.component('NetlinkViewer', defineAsyncComponent(() => import('./viewer/NetlinkViewer.vue')));
    if (typeof document !== 'undefined') {
      const previous = router.onAfterRouteChange;
      router.onAfterRouteChange = async (to) => {
        await previous?.(to);
        await nextTick();
        localizeThemeDom(document);
      };
      installSearchLoading(document);
      installPrintFolds(window);
    }
    // Functions do not survive the config's trip to the browser: give the search box the same
    // tokenizer the index was built with (config.ts), so Chinese queries are cut the same way.
    const search = siteData.value.themeConfig?.search;
    if (search?.provider === 'local') {
      search.options ??= {};
      search.options.miniSearch ??= {};
      search.options.miniSearch.options = { ...search.options.miniSearch.options, tokenize };
    }
  },
} satisfies Theme;
