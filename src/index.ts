// The library entry: the codec and the LAN conversations, for people who script in Node.
export * from './protocol/index.js'
