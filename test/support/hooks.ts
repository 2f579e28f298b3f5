// Root hooks for every mocha run: install the network guard before any test opens a socket.
import {installSendGuard} from './send-guard.js'

installSendGuard()
