// The entry of the command-line bundle (scripts/bundle-cli.mjs writes it to dist/lanmsg.cjs): @oclif/core and
// every command in one file, so that bin/run.js starts lanmsg with one file read and one compile, which V8 can
// take from its code cache. oclif finds the commands in COMMANDS (its "explicit" command discovery); bin/run.js
// points oclif at this file. It sits above src/commands, the one module that imports them all; the library entry
// (src/index.ts) is not bundled.
import Announce from './commands/announce.js'
import Doctor from './commands/doctor.js'
import Listen from './commands/listen.js'

export {execute} from '@oclif/core'

/** Every command, by id. test/cli/bundle.test.ts checks that this matches src/commands/. */
export const COMMANDS = {announce: Announce, doctor: Doctor, listen: Listen}

/** What oclif's help renders its texts with before ejs, in the bundle (scripts/bundle-cli.mjs puts it there). */
export {renderPlainTemplate} from './ui/help-template.js'
