// Byte-exact datagrams of independent IPMsg peers, and a TCP file request: decode vectors for captures.

/** The packets of ../shared/protocol/peers-on-the-wire.md, byte for byte where it gives them. */
export const PEER_PACKETS: Buffer[] = [
  Buffer.from('1_lbt6_0#128#1eb90dfd5a26#0#0#0#4001#9:1:feiq-h1:feiqhost1:1:feiq-h1\0', 'latin1'),
  Buffer.from('1_lbt6_0#128#1eb90dfd5a26#0#0#0#4001#9:2:feiq-h1:feiqhost1:3:feiq-h1\0', 'latin1'),
  Buffer.from(
    '1_lbt6_0#128#1eb90dfd5a26#0#0#0#4001#9:2:feiq-h1:feiqhost1:288:\u00C4\u00E3\u00BA\u00C3 from feiq \u00B2\u00E2\u00CA\u00D4\0',
    'latin1',
  ),
  Buffer.from('1_lbt6_0#128#1eb90dfd5a26#0#0#0#4001#9:3:feiq-h1:feiqhost1:33:1796132777\0', 'latin1'),
  Buffer.from(
    '1_lbt6_0#128#1eb90dfd5a26#0#0#0#4001#9:2:feiq-h1:feiqhost1:2097184:\u00001:\u00C4\u00E3\u00BA\u00C3\u00B2\u00E2\u00CA\u00D4 a::b.txt:11:65937d25:1:\u0007\0',
    'latin1',
  ),
  Buffer.from('1_lbt6_0#128#1eb90dfd5a26#0#0#0#4001#9:5:feiq-h1:feiqhost1:2:feiq-h1\0', 'latin1'),
  Buffer.from('1:411:qipuser3:qiphost3:2097153:qipmsg-h3\0lanmsg-test\0', 'latin1'),
  Buffer.from('1:413:qipuser3:qiphost3:3:qipmsg-h3\0lanmsg-test\0', 'latin1'),
  Buffer.from('1:414:qipuser3:qiphost3:33:1796133289', 'latin1'),
  Buffer.from('1:658:qipuser3:qiphost3:288:\u00BA\u00C3 from qipmsg \u00B2\u00E2\u00CA\u00D4\0', 'latin1'),
  Buffer.from(
    '1:862:qipuser3:qiphost3:2097440:\u00B8\u00BD\u00BC\u00FE \u00B2\u00E2\u00CA\u00D4\u00000:\u00C4\u00E3\u00BA\u00C3\u00B2\u00E2\u00CA\u00D4 a::b.txt:11:65937d25:1:14=65937d25:16=6b0ecff1:\u0007\0',
    'latin1',
  ),
  Buffer.from('1:416:qipuser3:qiphost3:2097154:qipmsg-h3\0lanmsg-test\0', 'latin1'),
  Buffer.from('1:2109884942:lipuser4:liphost4:2097153:libipmsg-h4\0lanmsg-test\0\0\0', 'latin1'),
  Buffer.from('1:834896831:lipuser4:liphost4:2097155:libipmsg-h4\0lanmsg-test\0\0', 'latin1'),
  Buffer.from('1:1195762504:lipuser4:liphost4:33:1796133993\0\0', 'latin1'),
  Buffer.from('1:2115658957:lipuser4:liphost4:2097217:IpMessengerAgent for C++ Unix Version 0.1.8\0\0', 'latin1'),
  Buffer.from('1:397821939:lipuser4:liphost4:288:你好 from libipmsg 测试\0\0\0', 'utf8'),
  Buffer.from('1:2031819638:lipuser4:liphost4:2097440:<text>\u00000:你好测试 a:b.txt:11:65937d25:1:\u0007\0\0', 'utf8'),
  Buffer.from('1:1366090824:lipuser4:liphost4:2097154:\0\0', 'latin1'),
  Buffer.from('1:1543336725:lipuser4:liphost4:2097176:\0\0', 'latin1'),
]

/** A GETFILEDATA request as a downloader writes it on TCP 2425 (packet number, file id and offset in hex). */
export const GETFILEDATA = Buffer.from('1:77:alice:pc:96:6b0ecff1:2:1000:', 'latin1')
