// The test driver's reading of iptux's chat log (communicate.log), on text in the format iptux 0.8.3 wrote.
import {expect} from 'chai'

import {parseChatLog} from '../support/iptux.js'

const LOG = [
  '=====================================',
  '(Tue Dec  1 15:17:26 2026) Recevied-From: Nickname:mysterious User:root Host:vm:',
  '[STRING]hello from lanmsg',
  '-------------------------------------',
  '',
  '=====================================',
  '(Tue Dec  1 15:17:45 2026) Send-To: Nickname:Bob: the second User:root Host:vm:',
  '[STRING]two',
  'lines',
  '-------------------------------------',
  '',
  '=====================================',
  '(Tue Dec  1 15:17:46 2026) Recevied-From: Nickname:x User:root Host:vm:',
  '[STRING]still being writ',
].join('\n')

describe('iptux driver: chat log', () => {
  it('reads received and sent entries, multi-line text, and leaves out an entry still being written', () => {
    expect(parseChatLog(LOG)).to.deep.equal([
      {
        direction: 'received',
        time: 'Tue Dec  1 15:17:26 2026',
        nickname: 'mysterious',
        user: 'root',
        host: 'vm',
        text: 'hello from lanmsg',
      },
      {
        direction: 'sent',
        time: 'Tue Dec  1 15:17:45 2026',
        nickname: 'Bob: the second',
        user: 'root',
        host: 'vm',
        text: 'two\nlines',
      },
    ])
  })
})
