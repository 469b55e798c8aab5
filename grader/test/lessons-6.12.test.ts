import { gradeEveryLesson } from './lesson-grades.js';

gradeEveryLesson('6.12');
