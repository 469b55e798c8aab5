import { gradeEveryLesson } from './lesson-grades.js';

// The 6.12 solution grades also run with --pcap, and tshark checks their captures.
gradeEveryLesson('6.12', { pcap: true });
