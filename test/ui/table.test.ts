import {expect} from 'chai'

import {displayWidth} from '../../src/ui/display-width.js'
import {cellText, type Column, fitColumns, renderHeader, renderRow, renderTable} from '../../src/ui/table.js'

const COLUMNS: Column[] = [
  {header: 'NAME', key: 'name'},
  {header: 'ADDRESS', key: 'address'},
  {header: 'AGE', key: 'age', align: 'right'},
]

const ROWS = [
  {name: '张三', address: '192.168.1.20', age: 3},
  {name: 'alice', address: '10.0.0.7', age: 120},
  {name: '飛秋ユーザー', address: '10.0.0.8', age: undefined},
]

describe('ui/table', () => {
  it('aligns columns by display width, with a rule under the header', () => {
    expect(renderTable(COLUMNS, ROWS)).to.equal(
      [
        'NAME          ADDRESS       AGE',
        '────────────  ────────────  ───',
        '张三          192.168.1.20    3',
        'alice         10.0.0.7      120',
        '飛秋ユーザー  10.0.0.8',
      ].join('\n'),
    )
  })

  it('lines up every row in display columns', () => {
    const lines = renderTable(COLUMNS, ROWS).split('\n')
    const columnOf = (line: string, text: string) => displayWidth(line.slice(0, line.indexOf(text)))
    expect(columnOf(lines[0], 'ADDRESS')).to.equal(14)
    for (const [i, row] of ROWS.entries()) expect(columnOf(lines[i + 2], row.address), row.name).to.equal(14)
  })

  it('makes every cell terminal-safe before measuring it', () => {
    const table = renderTable([{header: 'NAME', key: 'name'}], [{name: 'x\u001B[2J\u202Ey\nz'}])
    expect(table).to.equal(['NAME', '─'.repeat(20), String.raw`x\x1b[2J\u{202e}y\nz`].join('\n'))
    expect(table).to.not.include('\u001B')
  })

  it('prints only the header for no rows', () => {
    expect(renderTable(COLUMNS, [])).to.equal('NAME  ADDRESS  AGE\n────  ───────  ───')
  })

  it('caps a column at maxWidth and cuts cells with an ellipsis', () => {
    const table = renderTable(
      [
        {header: 'NAME', key: 'name', maxWidth: 6},
        {header: 'X', key: 'x'},
      ],
      [{name: '张三李四王五', x: 1}],
    )
    expect(table.split('\n')[2]).to.equal('张三…   1')
  })

  it('shrinks the widest columns to fit the terminal width', () => {
    const rows = [{name: 'a-very-long-host-name-indeed', address: '192.168.100.200', age: 1}]
    const table = renderTable(COLUMNS, rows, {width: 40})
    for (const line of table.split('\n')) expect(displayWidth(line), line).to.be.at.most(40)
    expect(table.split('\n')[2]).to.equal('a-very-long-host-…  192.168.100.200    1')
    const narrow = renderTable(COLUMNS, rows, {width: 30})
    for (const line of narrow.split('\n')) expect(displayWidth(line), line).to.be.at.most(30)
    expect(table).to.include('…')
    expect(table).to.include('192.168.100.200')
  })

  it('uses a dim header instead of a rule when colour is on', () => {
    const table = renderTable(COLUMNS, [], {color: true})
    expect(table).to.equal('\u001B[2mNAME  ADDRESS  AGE\u001B[22m')
  })

  it('renders rows one at a time with fixed widths, for streaming', () => {
    const fixed = {columns: COLUMNS, widths: [8, 15, 4], wide: false}
    expect(renderHeader(fixed)).to.equal('NAME      ADDRESS           AGE\n────────  ───────────────  ────')
    expect(renderRow(fixed, {name: '张三', address: '10.0.0.1', age: 5})).to.equal('张三      10.0.0.1            5')
    expect(renderRow(fixed, {name: '飛秋ユーザー', address: '10.0.0.1', age: 5})).to.equal(
      '飛秋ユ…   10.0.0.1            5',
    )
  })

  it('never cuts a column that is kept; shrinks the others, then drops them in order', () => {
    const columns: Column[] = [
      {header: 'ADDRESS', key: 'address', keep: true},
      {header: 'USER', key: 'user'},
      {header: 'GROUP', key: 'group', drop: 1},
      {header: 'CLIENT', key: 'client', drop: 2},
      {header: 'TIME', key: 'time', keep: true},
    ]
    const rows = [
      {
        address: '255.255.255.255:65535',
        user: 'alice-with-a-long-login',
        group: 'Research and Development',
        client: 'Feiqiu (MAC 00:11:22:33:44:55)',
        time: '12:52:16.763',
      },
    ]
    const wide = renderTable(columns, rows, {width: 200}).split('\n')
    expect(wide[2]).to.include('Research and Development')
    const at80 = renderTable(columns, rows, {width: 80}).split('\n')
    for (const line of at80) expect(displayWidth(line), line).to.be.at.most(80)
    expect(at80[0]).to.match(/^ADDRESS +USER +GROUP +CLIENT +TIME$/)
    expect(at80[2]).to.match(/^255\.255\.255\.255:65535 .*… {2}12:52:16\.763$/)
    // At 50 columns the group goes first, then the client.
    const at50 = renderTable(columns, rows, {width: 50}).split('\n')
    expect(at50[0]).to.match(/^ADDRESS +USER +TIME$/)
    expect(at50[2]).to.match(/^255\.255\.255\.255:65535 {2}alice-with-a… {2}12:52:16\.763$/)
    const layout = fitColumns(columns, [21, 23, 24, 30, 12], {width: 60})
    expect(layout.columns.map((c) => c.header)).to.deep.equal(['ADDRESS', 'USER', 'CLIENT', 'TIME'])
    // --wide: nothing cut, nothing dropped.
    const whole = renderTable(columns, rows, {width: 50, wide: true})
    expect(whole).to.include('Feiqiu (MAC 00:11:22:33:44:55)')
  })

  it('looks at no more of a cell than it can show (a 64 KiB text, a 30,000-mark bomb)', function () {
    this.timeout(5000)
    // The old code segmented the whole text first: seconds for each of these, past mocha's time limit.
    const accents = 'e\u0301'.repeat(32_000)
    const bomb = `a${'\u0301'.repeat(30_000)}`
    for (const text of [accents, bomb, 'x'.repeat(65_000)]) {
      const cell = cellText(text, 20)
      expect(displayWidth(cell)).to.be.at.most(20)
      expect(cell.endsWith('…')).to.equal(true)
      const table = renderTable(
        [
          {header: 'A', key: 'a', keep: true},
          {header: 'TEXT', key: 'text'},
        ],
        [{a: 'x', text}],
        {
          width: 80,
        },
      )
      for (const line of table.split('\n')) expect(displayWidth(line)).to.be.at.most(80)
    }

    expect(cellText(accents, 6)).to.equal('e\u0301e\u0301e\u0301e\u0301e\u0301…')
    expect(cellText(bomb, 6)).to.equal(`a${'\u0301'.repeat(6)}\\u{3…`)
    // Without a limit (a pipe, --wide) the cell is the whole text, escaped.
    expect(cellText(accents)).to.equal(accents)
  })

  it('pads a 64 KiB cell in the middle of a row without quadratic work (into a pipe)', function () {
    // The old code trimmed trailing spaces with / +$/, which tries every space of a padding run: 20 s here.
    this.timeout(5000)
    const long = '\u0301'.repeat(30_000) // escaped: 210,000 columns
    const table = renderTable(
      [
        {header: 'NAME', key: 'name'},
        {header: 'X', key: 'x'},
      ],
      [
        {name: long, x: 1},
        {name: 'short', x: 2},
      ],
    )
    const lines = table.split('\n')
    expect(lines[3]).to.match(/^short {209995} {2}2$/)
  })
})
