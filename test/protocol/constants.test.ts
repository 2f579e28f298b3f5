import {expect} from 'chai'

import {
  ABSENCEOPT,
  BROADCASTOPT,
  CAPUTF8OPT,
  DEFAULT_PORT,
  ENCFILEOPT,
  FILE_TYPES,
  fileTypeName,
  isEntryMode,
  MODE_MASK,
  modeName,
  modeOf,
  MODES,
  optionNames,
  parseMode,
  parseOption,
  READCHECKOPT,
  SECRETEXOPT,
  SENDCHECKOPT,
  UTF8OPT,
} from '../../src/protocol/index.js'

describe('protocol constants', () => {
  it('has the port and masks of §1.1 and §1.8', () => {
    expect(DEFAULT_PORT).to.equal(2425)
    expect(MODE_MASK).to.equal(0xff)
    expect(modeOf(0x1d8)).to.equal(0xd8)
  })

  it('holds every standard command code of §2.1', () => {
    expect(MODES).to.include({
      NOOPERATION: 0,
      BR_ENTRY: 1,
      BR_EXIT: 2,
      ANSENTRY: 3,
      BR_ABSENCE: 4,
      BR_ISGETLIST: 0x10,
      OKGETLIST: 0x11,
      GETLIST: 0x12,
      ANSLIST: 0x13,
      ANSLIST_DICT: 0x14,
      BR_ISGETLIST2: 0x18,
      SENDMSG: 0x20,
      RECVMSG: 0x21,
      READMSG: 0x30,
      DELMSG: 0x31,
      ANSREADMSG: 0x32,
      GETINFO: 0x40,
      SENDINFO: 0x41,
      GETABSENCEINFO: 0x50,
      SENDABSENCEINFO: 0x51,
      GETFILEDATA: 0x60,
      RELEASEFILES: 0x61,
      GETDIRFILES: 0x62,
      DIRFILES_AUTH: 0x63,
      DIRFILES_AUTHRET: 0x64,
      GETPUBKEY: 0x72,
      ANSPUBKEY: 0x73,
      AGENT_REQ: 0xa0,
      AGENT_PROXYREQ: 0xa3,
      DIR_POLL: 0xb0,
      DIR_AGENTREJECT: 0xb8,
    })
  })

  it('names the private Feiqiu and iptux codes', () => {
    expect(modeName(0xd1)).to.equal('FEIQ_SHAKE')
    expect(modeName(0x23)).to.equal('FEIQ_GROUPMSG')
    expect(modeName(0xfb)).to.equal('IPTUX_SENDMSG')
    expect(modeName(0xff)).to.equal('IPTUX_ASKSHARED')
  })

  it('gives every code one name', () => {
    const values = Object.values(MODES)
    expect(new Set(values).size).to.equal(values.length)
  })

  it('names unknown modes as two upper-case hex digits, using only the low 8 bits', () => {
    expect(modeName(0xd8)).to.equal('0xD8')
    expect(modeName(0x1d8)).to.equal('0xD8')
    expect(modeName(0x05)).to.equal('0x05')
    expect(modeName(0x120)).to.equal('SENDMSG')
  })

  it('parses modes by name, prefixed name, decimal and hex', () => {
    expect(parseMode('SENDMSG')).to.equal(0x20)
    expect(parseMode('sendmsg')).to.equal(0x20)
    expect(parseMode('IPMSG_SENDMSG')).to.equal(0x20)
    expect(parseMode('ipmsg_br_entry')).to.equal(1)
    expect(parseMode('32')).to.equal(32)
    expect(parseMode('0x20')).to.equal(32)
    expect(parseMode('0XD1')).to.equal(0xd1)
    expect(parseMode('BR_NOTIFY')).to.equal(4)
    expect(parseMode(' 0 ')).to.equal(0)
  })

  it('refuses modes out of 0..255 and unknown names', () => {
    expect(parseMode('256')).to.equal(undefined)
    expect(parseMode('0x100')).to.equal(undefined)
    expect(parseMode('-1')).to.equal(undefined)
    expect(parseMode('SENDMESSAGE')).to.equal(undefined)
    expect(parseMode('')).to.equal(undefined)
    expect(parseMode('1.5')).to.equal(undefined)
    expect(parseMode('toString')).to.equal(undefined)
    expect(parseMode('__proto__')).to.equal(undefined)
  })

  it('knows the entry family', () => {
    for (const mode of [0, 1, 2, 3, 4]) expect(isEntryMode(mode), String(mode)).to.equal(true)
    for (const mode of [5, 0x20, 0x21, 0xff]) expect(isEntryMode(mode), String(mode)).to.equal(false)
    expect(isEntryMode(0x01000001)).to.equal(true)
  })

  it('names option bits relative to the family (§2.2)', () => {
    expect(optionNames(0x101)).to.deep.equal(['ABSENCEOPT'])
    expect(optionNames(0x120)).to.deep.equal(['SENDCHECKOPT'])
    expect(optionNames(0x460)).to.deep.equal(['ENCFILE_OBSLT'])
    expect(optionNames(0x862)).to.deep.equal(['ENCFILEOPT'])
    expect(optionNames(0x421)).to.deep.equal(['BROADCASTOPT'])
    expect(optionNames(0x10001)).to.deep.equal(['DIALUPOPT'])
    expect(optionNames(0x10020)).to.deep.equal(['0x00010000'])
    expect(optionNames(0x80000020)).to.deep.equal(['IPTUX_SHAREDOPT'])
    expect(optionNames(0x80000001)).to.deep.equal(['0x80000000'])
    expect(optionNames(0x20)).to.deep.equal([])
  })

  it('parses options by name within the family, or by number', () => {
    expect(parseOption('SENDCHECKOPT', 0x20)).to.equal(SENDCHECKOPT)
    expect(parseOption('ipmsg_broadcastopt', 0x20)).to.equal(BROADCASTOPT)
    expect(parseOption('SECRETEXOPT', 0x20)).to.equal(SECRETEXOPT)
    expect(SECRETEXOPT).to.equal(0x00100200)
    expect(parseOption('ABSENCEOPT', 1)).to.equal(ABSENCEOPT)
    expect(parseOption('CAPUTF8OPT', 1)).to.equal(CAPUTF8OPT)
    expect(parseOption('UTF8OPT', 0x60)).to.equal(UTF8OPT)
    expect(parseOption('ENCFILEOPT', 0x62)).to.equal(ENCFILEOPT)
    expect(parseOption('READCHECKOPT', 0x30)).to.equal(READCHECKOPT)
    expect(parseOption('0x100', 1)).to.equal(0x100)
    expect(parseOption('256', 0x20)).to.equal(256)
  })

  it('refuses options from another family, with mode bits, or unknown', () => {
    expect(parseOption('SENDCHECKOPT', 1)).to.equal(undefined)
    expect(parseOption('ABSENCEOPT', 0x20)).to.equal(undefined)
    expect(parseOption('SECRETEXOPT', 1)).to.equal(undefined)
    expect(parseOption('0x101', 0x20)).to.equal(undefined)
    expect(parseOption('0x100000000', 0x20)).to.equal(undefined)
    expect(parseOption('NOSUCHOPT', 0x20)).to.equal(undefined)
  })

  it('names file types (§2.4)', () => {
    expect(FILE_TYPES).to.include({REGULAR: 1, DIR: 2, RETPARENT: 3, CLIPBOARD: 0x20})
    expect(fileTypeName(0x101)).to.equal('REGULAR')
    expect(fileTypeName(0x0e)).to.equal('0x0E')
  })
})
