import { gradeEveryLesson } from './lesson-grades.js';

// With NETLINK_LAB_TEST_PCAP=1 the 6.12 solution grades also run with --pcap, and tshark
// checks their captures. Off by default: in CI it made this file 54% slower (640 s → 985 s).
gradeEveryLesson('6.12', { pcap: process.env.NETLINK_LAB_TEST_PCAP === '1' });
