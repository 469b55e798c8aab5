// Build-time data for the message viewer: each lesson's family, read from its reference client.
import { defineLoader } from 'vitepress';
import { lessonFamilies, type LessonFamily } from '../../gen/lesson-families.ts';

declare const data: LessonFamily[];
export { data };

export default defineLoader({
  watch: ['../../../../lessons/*/solution/client/*.ts'],
  load: () => lessonFamilies(),
});
