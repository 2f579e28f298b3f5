import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {EXIT_CODES} from '../cli/exit-codes.js'
import * as flags from '../cli/flags.js'
import {DEFAULT_SWEEP_RATE} from '../lan/sweep-pacer.js'

export default class Doctor extends BaseCommand {
  static override args = {
    target: Args.string({
      description: 'A peer to diagnose the path to (IPv4 address or host name). Repeatable: doctor A B.',
      required: false,
    }),
  }
  static override description = `Why can't peers see each other? Checks this host, its LAN and, with TARGETs, the path to each peer, step by step on stderr, and prints a checklist: ✓ ok, ✗ failed (with one line of advice), ? could not tell (ok, FAIL and ? where the terminal may not show ✓).

This host: interfaces, their broadcast addresses (virtual ones and two cards on one subnet flagged), who holds UDP 2425, packet numbers against the clock, and whether our own broadcast is heard back. The LAN: who answers a broadcast entry, and whether answers to a broadcast arrive — every address of the local subnets (up to a /22, 100 a second) and each TARGET is also probed by unicast 2.3 s later (lanmsg answers one entry per source per 2 s); peers that answer a unicast but not the broadcast mean a stateful firewall here drops the answers to broadcasts. A TARGET: on which local subnet it is, whether UDP 2425 answers (or an ICMP port unreachable says nothing listens), the client and version it runs, and whether TCP 2425 (file transfer) accepts a connection.

A doctor run enters as a client does (BR_ENTRY) and leaves (BR_EXIT) at the end, so peers show nothing once it is done. The MTU test is a message the peer shows, so it is sent only with --mtu: a 3000-byte SENDMSG that asks for a receipt; a client that answers small packets but never acknowledges it is behind something that drops IP fragments. When an IPMsg client holds UDP 2425 on this host, doctor sends no entry or exit under its address (peers would rename or drop that client) and says so.

Exit codes: 0 no check failed, 1 other error, 2 invalid flags, 5 a TARGET's name does not resolve, 8 the output could not be written, 10 at least one check failed; stopped by a signal: 128 + its number (130 Ctrl-C).`
  static override enableJsonFlag = true
  static override examples = [
    {command: '<%= config.bin %> <%= command.id %>', description: 'This host and its LAN'},
    {
      command: '<%= config.bin %> <%= command.id %> 192.168.1.20',
      description: 'Also the path to one peer: subnet, UDP and TCP 2425, its client',
    },
    {
      command: '<%= config.bin %> <%= command.id %> 192.168.1.20 --mtu',
      description: 'Also a 3000-byte message (the peer shows it): are IP fragments dropped?',
    },
    {command: '<%= config.bin %> <%= command.id %> --json | jq .checks', description: 'The checklist as JSON'},
  ]
  static override flags = {
    mtu: Flags.boolean({
      description: 'Also send each TARGET a 3000-byte message asking for a receipt (the peer shows it).',
    }),
    port: flags.port({char: 'p', description: 'The IPMsg UDP and TCP port.', default: flags.DEFAULT_PORT}),
    ...flags.identityFlags,
  }
  static override strict = false
  static override summary = "Diagnose why peers can't see each other: this host, the LAN, the path to a TARGET."

  async run() {
    const {argv, flags: f} = await this.parse(Doctor)
    const {Doctor: DoctorRun} = await import('../lan/doctor/doctor.js')
    const {onStopSignal, interruptedExitCode} = await import('../cli/stop-signals.js')
    const view = await import('../ui/doctor-report.js')
    const doctor = await DoctorRun.create({
      targets: argv as string[],
      port: f.port,
      identity: {user: f.user, host: f.host, nick: f.nick, group: f.group},
      mtu: f.mtu,
      rate: DEFAULT_SWEEP_RATE,
    })
    const stop = onStopSignal(() => doctor.abort())
    try {
      await (this.jsonEnabled()
        ? doctor.runAll()
        : (await import('../ui/doctor-progress.js')).showDoctorProgress(doctor.steps()))
    } finally {
      stop.remove()
    }

    const report = doctor.report()
    if (report.failed > 0) process.exitCode = EXIT_CODES.checkFailed
    if (stop.signal) process.exitCode = interruptedExitCode(stop.signal)
    if (this.jsonEnabled()) return view.doctorJson(report)
    const {colorEnabled} = await import('../ui/color.js')
    const text = view.renderDoctorReport(report, {
      marks: view.marksFor(process.stdout),
      color: colorEnabled(process.stdout),
      width: process.stdout.isTTY ? process.stdout.columns : undefined,
    })
    const {LineWriter} = await import('../ui/line-writer.js')
    const out = new LineWriter(process.stdout)
    out.write(text)
    await out.end()
    if (out.failure) throw new (await import('../cli/output-error.js')).OutputError(out.failure)
  }
}
