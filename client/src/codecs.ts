/**
 * The pure half of the library: constants, typed errors and the codecs (headers, attributes,
 * attribute sets, fixed structs, ACKs, generic netlink, addresses), with no native addon and no I/O. The face
 * for code that must not load the addon: the site's message viewer (a browser bundle), its
 * build-time tables, tests of pure code. Programs import `netlink-lab/client`, which has all of
 * this too.
 * @module
 */
export * from './constants.js';
export * from './errors.js';
export * from './header.js';
export * from './attributes.js';
export * from './schema.js';
export * from './ack.js';
export * from './genl-codec.js';
export * from './inet.js';
export * from './struct.js';
