// Runs a command in a tmux pane the way an interactive shell runs a job: the command gets the terminal; this
// process survives Ctrl-C (which the terminal sends to the command too), forwards a hangup to the command as bash
// does, and records how the command ended.
// Usage: node terminal-child.mjs <status-file> <command> [args…]; the status file gets {"code", "signal"}.
import {spawn} from 'node:child_process'
import {writeFileSync} from 'node:fs'

const [statusFile, command, ...args] = process.argv.slice(2)
const child = spawn(command, args, {stdio: 'inherit'})
process.on('SIGINT', () => {})
process.on('SIGHUP', () => child.kill('SIGHUP'))
child.on('exit', (code, signal) => {
  writeFileSync(statusFile, JSON.stringify({code, signal}))
  process.exit(0)
})
