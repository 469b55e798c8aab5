// The message viewer's text in both languages. Field names stay C names in both.
import { ENGLISH, type ViewerWords } from './dissect.ts';
import { INPUT_ENGLISH, type InputWords } from './parse-input.ts';

export interface PageWords {
  input: string;
  placeholder: string;
  lesson: string;
  noLesson: string;
  lessonOption: (n: number, title: string) => string;
  example: string;
  empty: string;
  message: (n: number, title: string, length: number, offset: number) => string;
  columns: [string, string, string, string, string];
  trailing: (offset: number, why: string) => string;
  decoder: ViewerWords;
  parser: InputWords;
}

const EN: PageWords = {
  input: 'Bytes (hex, a viewer link, or the report’s viewer: lines or JSON)',
  placeholder: '24000000100005000100000000000000030100000b0002006e6c6374726c0000',
  lesson: 'Names from',
  noLesson: 'no lesson: generic netlink (type 0x10 is nlctrl)',
  lessonOption: (n, title) => `Lesson ${n} · ${title}`,
  example: 'Example: a GETFAMILY request',
  empty: 'Paste bytes above: each message is shown field by field.',
  message: (n, title, length, offset) => `Message ${n} · ${title} · ${length} bytes at offset ${offset}`,
  columns: ['Offset', 'Length', 'Bytes', 'Field', 'Value'],
  trailing: (offset, why) => `From offset ${offset} on, the bytes are not a message: ${why}`,
  decoder: ENGLISH,
  parser: INPUT_ENGLISH,
};

const ZH: PageWords = {
  input: '字节（十六进制、查看器链接，或评分报告的 viewer: 行或 JSON）',
  placeholder: EN.placeholder,
  lesson: '名称取自',
  noLesson: '不选课程：通用 netlink（类型 0x10 是 nlctrl）',
  lessonOption: (n, title) => `第 ${n} 课 · ${title}`,
  example: '示例：一个 GETFAMILY 请求',
  empty: '在上方粘贴字节，每条消息会逐个字段显示。',
  message: (n, title, length, offset) => `消息 ${n} · ${title} · ${length} 字节，位于偏移 ${offset}`,
  columns: ['偏移', '长度', '字节', '字段', '值'],
  trailing: (offset, why) => `从偏移 ${offset} 起的字节不构成消息：${why}`,
  decoder: {
    ack: 'ACK（成功）',
    requestHeader: '请求的 nlmsghdr',
    requestPayload: '请求的载荷',
    capped: '已省略（NLM_F_CAPPED）',
    points: (path) => `指向请求中的 ${path}`,
    nest: '嵌套',
    entries: (n) => `${n} 项`,
    familyId: (name) => `${name} 族`,
    padding: '填充到 4 的倍数',
    bytes: (n) => `${n} 字节`,
    limits: { type: '类型', minLength: '最小长度', maxLength: '最大长度', min: '最小值', max: '最大值', mask: '掩码' },
  },
  parser: {
    odd: '十六进制数字个数为奇数：每个字节需要两位',
    notHex: (char, at) => `第 ${at + 1} 个字符“${char}”不是十六进制数字`,
  },
};

export const pageWords = (lang: string): PageWords => (lang.startsWith('zh') ? ZH : EN);
