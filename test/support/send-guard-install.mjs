// Preloaded into child processes (NODE_OPTIONS --import) so that they obey the same network rule as the tests.
import {installSendGuard} from './send-guard-core.mjs'

installSendGuard()
